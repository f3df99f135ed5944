// The reaper's first watched child (src/reaper.ts), in a fresh process: a child that exits before
// watchChild has installed the SIGCHLD handler sent its signal to no one. Its exit must still come
// at once, not at the 5 s sweep (an exec probe's first check hung that long).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';

const script = `
const { spawnProcess } = await import(${JSON.stringify(new URL('../src/native/index.js', import.meta.url).href)});
const { watchChild } = await import(${JSON.stringify(new URL('../src/reaper.js', import.meta.url).href)});
const pid = spawnProcess('/bin/true', ['true'], [], [-1, -1, -1]);
Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200); // it exits meanwhile, unwatched
const t = performance.now();
const late = setTimeout(() => { console.log('no exit'); process.exit(1); }, 3000);
watchChild(pid).once('exit', (code) => { clearTimeout(late); console.log('exit', code, Math.round(performance.now() - t)); });
`;

test('reaper: a child that exited before the first watchChild gets its exit event at once', async () => {
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d));
  const code = await new Promise((r) => child.once('exit', r));
  assert.equal(code, 0, out);
  const m = /^exit 0 (\d+)$/m.exec(out);
  assert.ok(m, out);
  assert.ok(Number(m[1]) < 1000, `exit after ${m[1]} ms`);
});

/**
 * The pump that writes spliced output on during a reexec (`tsv-exec --pump`, native/tsv_pump.c,
 * src/reexec/pump.ts), driven as the daemon drives it: real pipes, real files, SIGTERM to stop.
 * Every byte ends up in the file or still in the pipe, never both; a log's limit (its rotation
 * point) is never passed; it writes at the file's end, as O_APPEND would.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, readSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { closeFd, makePipe, SHIM_PATH } from '../src/native/index.js';
import { exited, seqText, sleep, tempDir, waitUntil } from './logs-helpers.js';

/** Everything left in a pipe whose writers are all closed. */
function drain(fd: number): string {
  const buf = Buffer.alloc(1 << 20);
  let s = '';
  for (;;) {
    const n = readSync(fd, buf);
    if (n === 0) return s;
    s += buf.toString('latin1', 0, n);
  }
}

function pump(args: string[], fds: number[]) {
  const child = spawn(SHIM_PATH, ['--pump', '30', ...args], { stdio: ['ignore', 'ignore', 'inherit', ...fds] });
  return { child, done: exited(child) };
}

describe('reexec pump', () => {
  it('moves a pipe into the end of a file until SIGTERM; what it did not move stays in the pipe, once', async () => {
    const dir = tempDir('pump');
    const path = join(dir, 'out.log');
    writeFileSync(path, 'before\n');
    const pipe = makePipe();
    const text = seqText(300_000);
    const writer = spawn('sh', ['-c', 'seq 1 300000'], { stdio: ['ignore', pipe.write, 'ignore'] });
    closeFd(pipe.write);
    const p = pump(['0', path], [pipe.read]);
    await waitUntil(() => readFileSync(path).length > 100_000, 10_000);
    p.child.kill('SIGTERM');
    assert.equal(await p.done, 0);
    const rest = drain(pipe.read); // until the writer, blocked on a full pipe if it was stopped first, ends
    await exited(writer);
    closeFd(pipe.read);
    const file = readFileSync(path, 'latin1');
    assert.ok(file.startsWith('before\n'));
    assert.equal(file.slice('before\n'.length) + rest, text);
  });

  it('stops at a log\'s limit: the rest waits in the pipe for the daemon, which rotates', async () => {
    const dir = tempDir('pump');
    const path = join(dir, 'out.log');
    writeFileSync(path, '');
    const pipe = makePipe();
    const writer = spawn('sh', ['-c', 'seq 1 100000'], { stdio: ['ignore', pipe.write, 'ignore'] });
    closeFd(pipe.write);
    const p = pump(['10000', path], [pipe.read]);
    await waitUntil(() => readFileSync(path).length >= 10_000, 10_000);
    await sleep(200);
    assert.equal(readFileSync(path).length, 10_000);
    p.child.kill('SIGTERM');
    assert.equal(await p.done, 0);
    const rest = drain(pipe.read); // the writer blocks on a full pipe until this reads
    await exited(writer);
    closeFd(pipe.read);
    assert.equal(readFileSync(path, 'latin1') + rest, seqText(100_000));
  });

  it('several channels at once, each into its own file', async () => {
    const dir = tempDir('pump');
    const runs = [0, 1, 2].map((i) => {
      const path = join(dir, `out${i}.log`);
      writeFileSync(path, '');
      const pipe = makePipe();
      const writer = spawn('seq', ['1', String(50_000 * (i + 1))], { stdio: ['ignore', pipe.write, 'ignore'] });
      closeFd(pipe.write);
      return { path, pipe, writer, text: seqText(50_000 * (i + 1)) };
    });
    const p = pump(runs.flatMap((r) => ['0', r.path]), runs.map((r) => r.pipe.read));
    await Promise.all(runs.map((r) => exited(r.writer)));
    await waitUntil(() => runs.every((r) => readFileSync(r.path).length === r.text.length), 10_000);
    p.child.kill('SIGTERM');
    assert.equal(await p.done, 0);
    for (const r of runs) {
      assert.equal(drain(r.pipe.read), '');
      closeFd(r.pipe.read);
      assert.equal(readFileSync(r.path, 'latin1'), r.text);
    }
  });
  it('stops at once while a writer floods the pipe, or after every channel has ended; nothing lost or doubled at the stop', async () => {
    const dir = tempDir('pump');
    const path = join(dir, 'out.log');
    writeFileSync(path, '');
    const pipe = makePipe();
    const writer = spawn('seq', ['1', '1000000000'], { stdio: ['ignore', pipe.write, 'ignore'] });
    closeFd(pipe.write);
    const p = pump(['0', path], [pipe.read]);
    await waitUntil(() => readFileSync(path).length > 1_000_000, 10_000);
    const t0 = Date.now();
    p.child.kill('SIGTERM');
    assert.equal(await p.done, 0);
    assert.ok(Date.now() - t0 < 2000, `stopped after ${Date.now() - t0} ms`);
    writer.kill('SIGKILL');
    const rest = drain(pipe.read);
    await exited(writer);
    closeFd(pipe.read);
    const lines = (readFileSync(path, 'latin1') + rest).split('\n');
    lines.pop(); // the writer was killed: its last line may be cut
    lines.forEach((l, i) => l === String(i + 1) || assert.fail(`line ${i + 1} is ${JSON.stringify(l)}`));

    // every channel ended (its writer gone) before the stop comes: it waits for the stop
    const empty = makePipe();
    closeFd(empty.write);
    const q = pump(['0', path], [empty.read]);
    await sleep(100);
    assert.equal(q.child.exitCode, null, 'it waits for the stop');
    q.child.kill('SIGTERM');
    assert.equal(await q.done, 0);
    closeFd(empty.read);
  });
});

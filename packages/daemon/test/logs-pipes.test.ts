/**
 * Non-regular targets (FIFOs, pipes, /dev/stdout) and backpressure through a slow reader.
 * The FIFO reader is a real process that opens the FIFO, says `ready`, and only starts reading
 * (into a file) when told so on its stdin.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, it } from 'node:test';
import { captureOutput, RotatingFile } from '../src/logs/index.js';
import { exited, run, runNode, seqText, tempDir, waitUntil } from './logs-helpers.js';

const LIB = new URL('../src/logs/index.js', import.meta.url).href;

const READER = `
import fs from 'node:fs';
import net from 'node:net';
const [fifo, out] = process.argv.slice(1);
const fd = fs.openSync(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
process.stdout.write('ready\\n');
process.stdin.once('data', () => {
  const sock = new net.Socket({ fd, readable: true, writable: false });
  const file = fs.createWriteStream(out);
  sock.pipe(file);
  file.on('finish', () => process.exit(0));
});
`;

async function startReader(fifo: string, out: string) {
  const reader = runNode(READER, [fifo, out], { stdin: 'pipe' });
  const lines = createInterface({ input: reader.stdout! });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('reader not ready')), 10_000);
    lines.once('line', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  return { reader, go: () => reader.stdin!.write('go\n') };
}

function mkfifo(path: string): void {
  assert.equal(spawnSync('mkfifo', [path]).status, 0);
}

describe('FIFO and pipe targets', () => {
  it('a FIFO with maxbytes>0 is written without seeking and never rotated', async () => {
    const dir = tempDir();
    const fifo = join(dir, 'out.fifo');
    const out = join(dir, 'received');
    mkfifo(fifo);
    const { reader, go } = await startReader(fifo, out);
    const file = new RotatingFile(fifo, { maxbytes: 100, backups: 3 });
    assert.equal(file.rotatable, false);
    go();
    const child = run('seq', ['1', '50000']);
    await Promise.all([captureOutput(child.stdout!, file), exited(child)]);
    await file.close();
    await exited(reader);
    assert.equal(readFileSync(out, 'utf8'), seqText(50000));
    assert.ok(!existsSync(`${fifo}.1`));
    assert.ok(statSync(fifo).isFIFO());
  });

  it('a FIFO whose reader goes away: reported once, no crash; resumes with a new reader', async () => {
    const dir = tempDir();
    const fifo = join(dir, 'gone.fifo');
    mkfifo(fifo);
    const first = await startReader(fifo, join(dir, 'first'));
    const errors: string[] = [];
    const recovered: number[] = [];
    const file = new RotatingFile(fifo, {
      retryDelayMs: 50,
      onError: (e) => errors.push(e.code ?? e.message),
      onRecover: (n) => recovered.push(n),
    });
    first.go();
    await file.write(Buffer.from('to the first reader\n'));
    first.reader.kill('SIGKILL');
    await exited(first.reader);
    for (let i = 0; i < 5; i++) await file.write(Buffer.from('nobody reads this\n'));
    assert.deepEqual(errors, ['EPIPE']);
    const second = await startReader(fifo, join(dir, 'second'));
    second.go();
    await new Promise((r) => setTimeout(r, 60));
    await file.write(Buffer.from('to the second reader\n'));
    await file.close();
    await exited(second.reader);
    assert.equal(readFileSync(join(dir, 'second'), 'utf8'), 'to the second reader\n');
    assert.deepEqual(errors, ['EPIPE']);
    assert.equal(recovered.length, 1);
  });

  it('backpressure: a slow reader blocks the child; the daemon does not buffer its output', async () => {
    const dir = tempDir();
    const fifo = join(dir, 'slow.fifo');
    const out = join(dir, 'received');
    mkfifo(fifo);
    const { reader, go } = await startReader(fifo, out);
    const file = new RotatingFile(fifo, { maxbytes: 0 });
    const total = 256 * 1024 * 1024;
    // The child writes as fast as it can and reports its running total on stderr.
    const child = runNode(
      `import fs from 'node:fs';
       const chunk = Buffer.alloc(65536, 'x'); let n = 0; const total = ${total};
       while (n < total) { n += fs.writeSync(1, chunk, 0, Math.min(65536, total - n)); fs.writeSync(2, n + '\\n'); }`,
    );
    let childWrote = 0;
    createInterface({ input: child.stderr! }).on('line', (l) => (childWrote = Number(l)));
    const rssBefore = process.memoryUsage().rss;
    let rssMax = rssBefore;
    const sampler = setInterval(() => (rssMax = Math.max(rssMax, process.memoryUsage().rss)), 20);
    const capture = captureOutput(child.stdout!, file);

    await waitUntil(() => childWrote > 0, 10_000, 'the child to start writing');
    await new Promise((r) => setTimeout(r, 1500)); // the reader reads nothing meanwhile
    const stalledAt = childWrote;
    assert.ok(stalledAt < 16 * 1024 * 1024, `child wrote ${stalledAt} bytes into a stalled log`);
    assert.ok(rssMax - rssBefore < 64 * 1024 * 1024, `daemon grew by ${rssMax - rssBefore} bytes`);

    go();
    const [result] = await Promise.all([capture, exited(child, 60_000)]);
    clearInterval(sampler);
    await file.close();
    await exited(reader, 30_000);
    assert.equal(result.bytesRead, total);
    assert.equal(statSync(out).size, total);
    assert.ok(rssMax - rssBefore < 64 * 1024 * 1024, `daemon grew by ${rssMax - rssBefore} bytes`);
  });
});

describe('/dev/stdout as a log target', () => {
  const writer = `
    import { RotatingFile } from ${JSON.stringify(LIB)};
    const file = new RotatingFile('/dev/stdout', { maxbytes: 100, backups: 2, onError: (e) => { console.error(e.code); process.exit(3); } });
    for (let i = 1; i <= 20000; i++) await file.write(Buffer.from(i + '\\n'));
    await file.close();
  `;

  it('when stdout is a socket (ENXIO on open): falls back to process.stdout', async () => {
    const child = runNode(writer);
    const chunks: Buffer[] = [];
    child.stdout!.on('data', (c: Buffer) => chunks.push(c));
    assert.equal(await exited(child), 0);
    assert.equal(Buffer.concat(chunks).toString(), seqText(20000));
  });

  it('when stdout is a pipe: written through the pipe', async () => {
    const dir = tempDir();
    const out = join(dir, 'piped');
    const script = join(dir, 'w.mjs');
    (await import('node:fs')).writeFileSync(script, writer);
    const sh = spawn('sh', ['-c', `"${process.execPath}" "${script}" | cat > "${out}"`], { stdio: 'ignore' });
    assert.equal(await exited(sh), 0);
    assert.equal(readFileSync(out, 'utf8'), seqText(20000));
  });

  it('when stdout is a regular file: appended, and /dev/stdout is never renamed', async () => {
    const dir = tempDir();
    const out = join(dir, 'file');
    const fd = openSync(out, 'w');
    const child = spawn(process.execPath, ['--input-type=module', '-e', writer], { stdio: ['ignore', fd, 'inherit'] });
    closeSync(fd);
    assert.equal(await exited(child), 0);
    assert.equal(readFileSync(out, 'utf8'), seqText(20000));
    assert.ok(!existsSync('/dev/stdout.1'));
  });
});

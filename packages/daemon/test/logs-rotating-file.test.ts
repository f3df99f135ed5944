import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { captureOutput, RotatingFile, rotationPlan } from '../src/logs/index.js';
import { rotateFilesHeld } from '../src/logs/rotation.js';
import { exited, readRotated, run, runNode, seqText, tempDir } from './logs-helpers.js';

describe('rotationPlan', () => {
  it('renames oldest first, then the current file to .1', () => {
    assert.deepEqual(rotationPlan('/l/a.log', 3), [
      { from: '/l/a.log.2', to: '/l/a.log.3' },
      { from: '/l/a.log.1', to: '/l/a.log.2' },
      { from: '/l/a.log', to: '/l/a.log.1' },
    ]);
    assert.deepEqual(rotationPlan('/l/a.log', 0), []);
  });
});

describe('rotateFilesHeld', () => {
  /** This process's descriptors open on `path` (a removed file's link ends in " (deleted)"). */
  const openOn = (path: string): number =>
    readdirSync('/proc/self/fd').filter((fd) => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`).startsWith(path);
      } catch {
        return false;
      }
    }).length;

  it('renames before it returns; the oldest backup, removed, stays open until release()', async () => {
    const dir = tempDir();
    const path = join(dir, 'a.log');
    for (const [name, text] of [['a.log', 'now'], ['a.log.1', 'one'], ['a.log.2', 'two']]) writeFileSync(join(dir, name), text);
    const removed = rotateFilesHeld(path, 2);
    assert.equal(existsSync(path), false);
    assert.equal(readFileSync(`${path}.1`, 'utf8'), 'now');
    assert.equal(readFileSync(`${path}.2`, 'utf8'), 'one');
    assert.equal(openOn(`${path}.2 (deleted)`), 1, 'the old .2 is held open');
    removed.release();
    removed.release(); // once only
    for (let i = 0; i < 100 && openOn(`${path}.2 (deleted)`) > 0; i++) await new Promise((r) => setTimeout(r, 5));
    assert.equal(openOn(`${path}.2 (deleted)`), 0, 'closed after release()');
    // no oldest backup yet, and no backups at all
    writeFileSync(path, 'fresh');
    rotateFilesHeld(join(dir, 'b.log'), 3).release();
    rotateFilesHeld(path, 0).release();
    assert.equal(readFileSync(path, 'utf8'), 'fresh');
  });
});

describe('RotatingFile', () => {
  it('lazy: no file until the first write or spawn reopen (not a SIGUSR2 one); clear before that removes an old file without making one', async () => {
    const dir = tempDir();
    const path = join(dir, 'lazy.log');
    const never = new RotatingFile(path, { lazy: true });
    assert.equal(existsSync(path), false);
    writeFileSync(path, 'from an earlier run\n');
    await never.clear();
    assert.equal(existsSync(path), false);
    await never.write(Buffer.from('first\n'));
    assert.equal(readFileSync(path, 'utf8'), 'first\n');
    await never.close();
    const reopened = new RotatingFile(join(dir, 'lazy2.log'), { lazy: true });
    await reopened.reopen({ ifOpened: true }); // SIGUSR2 before the first spawn: still none
    assert.equal(existsSync(join(dir, 'lazy2.log')), false);
    await reopened.reopen(); // the spawn's reopen makes it
    assert.equal(existsSync(join(dir, 'lazy2.log')), true);
    await reopened.reopen({ ifOpened: true }); // and SIGUSR2 then opens it again
    assert.equal(existsSync(join(dir, 'lazy2.log')), true);
    await reopened.close();
  });

  it('keeps every byte of `seq` across many rotations, oldest first', async () => {
    const dir = tempDir();
    const path = join(dir, 'seq.log');
    const file = new RotatingFile(path, { maxbytes: 64 * 1024, backups: 100 });
    const child = run('seq', ['1', '300000']);
    const [result] = await Promise.all([captureOutput(child.stdout!, file), exited(child)]);
    await file.close();
    const expected = seqText(300000);
    const { data, files } = readRotated(path);
    assert.equal(result.bytesRead, Buffer.byteLength(expected));
    assert.ok(files > 20, `expected many files, got ${files}`);
    assert.equal(data.toString(), expected);
    // Each rotated file reached maxbytes, by less than one pipe read.
    for (let i = 1; i < files; i++) {
      const size = statSync(`${path}.${i}`).size;
      assert.ok(size >= 64 * 1024 && size < 64 * 1024 + 256 * 1024, `${path}.${i}: ${size}`);
    }
  });

  it('keeps exactly backups+1 files, the newest data, nothing doubled', async () => {
    const dir = tempDir();
    const path = join(dir, 'few.log');
    const file = new RotatingFile(path, { maxbytes: 32 * 1024, backups: 3 });
    const child = run('seq', ['1', '100000']);
    await Promise.all([captureOutput(child.stdout!, file), exited(child)]);
    await file.close();
    assert.deepEqual(readdirSync(dir).sort(), ['few.log', 'few.log.1', 'few.log.2', 'few.log.3']);
    const { data } = readRotated(path);
    const expected = seqText(100000);
    assert.ok(expected.endsWith(data.toString()), 'the kept files are the end of the output');
    assert.ok(data.length >= 3 * 32 * 1024);
  });

  it('writes a chunk larger than maxbytes whole into one file, then rotates', async () => {
    const dir = tempDir();
    const path = join(dir, 'big.log');
    const file = new RotatingFile(path, { maxbytes: 100, backups: 2 });
    await file.write(Buffer.alloc(50, 'a'));
    await file.write(Buffer.alloc(1000, 'b'));
    await file.write(Buffer.from('c'));
    await file.close();
    assert.equal(readFileSync(`${path}.1`, 'utf8'), 'a'.repeat(50) + 'b'.repeat(1000));
    assert.equal(readFileSync(path, 'utf8'), 'c');
  });

  it('a batch of chunks rotates between chunks, where chunk-by-chunk writing would', async () => {
    const dir = tempDir();
    const path = join(dir, 'batch.log');
    const file = new RotatingFile(path, { maxbytes: 100, backups: 3 });
    await file.write([Buffer.alloc(60, 'a'), Buffer.alloc(60, 'b'), Buffer.alloc(10, 'c'), Buffer.alloc(95, 'd'), Buffer.from('e')]);
    await file.close();
    assert.equal(readFileSync(`${path}.2`, 'utf8'), 'a'.repeat(60) + 'b'.repeat(60));
    assert.equal(readFileSync(`${path}.1`, 'utf8'), 'c'.repeat(10) + 'd'.repeat(95));
    assert.equal(readFileSync(path, 'utf8'), 'e');
  });

  it('produces the same files as supervisor RotatingFileHandler for the same writes', async (t) => {
    const dir = tempDir();
    // Deterministic chunk sizes 1..300, each chunk a different letter.
    const chunks = Array.from({ length: 60 }, (_, i) => Buffer.alloc(((i * 7919) % 300) + 1, 97 + (i % 26)));
    const code = `
import sys, json
from supervisor import loggers
log = loggers.getLogger(loggers.LevelsByName.INFO)
loggers.handle_file(log, sys.argv[1], '%(message)s', True, 1000, 3)
for h in json.load(sys.stdin): log.info(bytes.fromhex(h))
`;
    const py = spawnSync('/usr/bin/python3', ['-c', code, join(dir, 'py.log')], { input: JSON.stringify(chunks.map((c) => c.toString('hex'))) });
    if (py.status !== 0) return t.skip('python3 with supervisor not available');
    const file = new RotatingFile(join(dir, 'ours.log'), { maxbytes: 1000, backups: 3 });
    for (const c of chunks) await file.write(c);
    await file.close();
    for (const suffix of ['', '.1', '.2', '.3']) {
      assert.equal(readFileSync(join(dir, `ours.log${suffix}`), 'latin1'), readFileSync(join(dir, `py.log${suffix}`), 'latin1'), `log${suffix}`);
    }
    assert.ok(!existsSync(join(dir, 'py.log.4')) && !existsSync(join(dir, 'ours.log.4')));
  });

  it('with backups=0 starts the file over when it is full', async () => {
    const dir = tempDir();
    const path = join(dir, 'nobackup.log');
    const file = new RotatingFile(path, { maxbytes: 10, backups: 0 });
    await file.write(Buffer.from('0123456789'));
    await file.write(Buffer.from('abc'));
    await file.close();
    assert.deepEqual(readdirSync(dir), ['nobackup.log']);
    assert.equal(readFileSync(path, 'utf8'), 'abc');
  });

  it('appends to an existing file and counts its size toward maxbytes', async () => {
    const dir = tempDir();
    const path = join(dir, 'old.log');
    writeFileSync(path, 'x'.repeat(90));
    const file = new RotatingFile(path, { maxbytes: 100, backups: 1 });
    await file.write(Buffer.from('y'.repeat(10)));
    await file.write(Buffer.from('z'));
    await file.close();
    assert.equal(readFileSync(`${path}.1`, 'utf8'), 'x'.repeat(90) + 'y'.repeat(10));
    assert.equal(readFileSync(path, 'utf8'), 'z');
  });

  it('never rotates with maxbytes=0', async () => {
    const dir = tempDir();
    const path = join(dir, 'grow.log');
    const file = new RotatingFile(path, { maxbytes: 0, backups: 5 });
    for (let i = 0; i < 100; i++) await file.write(Buffer.alloc(1000, 'q'));
    await file.close();
    assert.deepEqual(readdirSync(dir), ['grow.log']);
    assert.equal(statSync(path).size, 100_000);
  });

  it('reopen() after an external mv starts a new file and loses nothing', async () => {
    const dir = tempDir();
    const path = join(dir, 'moved.log');
    const file = new RotatingFile(path, { maxbytes: 0 });
    // A child writing numbered lines for a while; the file is moved and reopened meanwhile.
    const child = runNode(
      `for (let i = 1; i <= 4000; i++) { process.stdout.write(i + '\\n'); if (i % 200 === 0) await new Promise(r => setTimeout(r, 5)); }`,
    );
    const capture = captureOutput(child.stdout!, file);
    let moved = 0;
    const mover = setInterval(() => {
      if (moved >= 3) return;
      moved++;
      renameSync(path, `${path}.moved${moved}`);
      void file.reopen();
    }, 20);
    await Promise.all([capture, exited(child)]);
    clearInterval(mover);
    await file.close();
    assert.ok(moved >= 1, 'the file was moved at least once');
    const parts = [];
    for (let i = 1; i <= moved; i++) parts.push(readFileSync(`${path}.moved${i}`));
    parts.push(readFileSync(path));
    assert.equal(Buffer.concat(parts).toString(), seqText(4000));
  });

  it('clear() empties the file and keeps the backups, as supervisor', async () => {
    const dir = tempDir();
    const path = join(dir, 'clear.log');
    const file = new RotatingFile(path, { maxbytes: 10, backups: 2 });
    await file.write(Buffer.from('0123456789'));
    await file.write(Buffer.from('old'));
    await file.clear();
    await file.write(Buffer.from('new'));
    assert.equal(readFileSync(path, 'utf8'), 'new');
    assert.equal(readFileSync(`${path}.1`, 'utf8'), '0123456789');
    await file.clear({ backups: true });
    assert.deepEqual(readdirSync(dir), ['clear.log']);
    assert.equal(readFileSync(path, 'utf8'), '');
    await file.close();
  });

  it('drops writes after close() without throwing', async () => {
    const dir = tempDir();
    const file = new RotatingFile(join(dir, 'closed.log'));
    await file.write(Buffer.from('a'));
    await file.close();
    await file.write(Buffer.from('bc'));
    file.writeSync(Buffer.from('d'));
    assert.equal(file.droppedBytes, 3);
    assert.equal(readFileSync(join(dir, 'closed.log'), 'utf8'), 'a');
  });

  it('/dev/null is a device: writes work, nothing is renamed or removed', async () => {
    const file = new RotatingFile('/dev/null', { maxbytes: 1, backups: 3 });
    assert.equal(file.rotatable, false);
    await file.write(Buffer.from('hello'));
    await file.write(Buffer.from('again'));
    await file.clear();
    await file.close();
    assert.ok(existsSync('/dev/null') && !existsSync('/dev/null.1'));
    assert.equal(file.writtenBytes, 10);
  });
});

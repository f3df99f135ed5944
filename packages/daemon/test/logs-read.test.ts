import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Faults, RPCFault } from '@tsupervisor/protocol';
import { captureOutput, readLog, RotatingFile, tailLog, tailRange } from '../src/logs/index.js';
import { exited, run, tempDir } from './logs-helpers.js';

const OFFSETS = [-5000, -101, -100, -99, -1, 0, 1, 50, 99, 100, 101, 5000];
const LENGTHS = [-5, -1, 0, 1, 10, 99, 100, 101, 1600];

/** Our answer to readLog, as supervisor's: the string, or the fault's name. */
async function ours(path: string, offset: number, length: number): Promise<string> {
  try {
    return `ok:${await readLog(path, offset, length)}`;
  } catch (err) {
    assert.ok(err instanceof RPCFault);
    return `fault:${err.message}`;
  }
}

/** supervisor's readFile/tailFile on the same file for every (offset, length), if installed. */
function theirs(path: string): { read: string[]; tail: unknown[] } | null {
  const code = `
import json, sys
from supervisor.options import readFile, tailFile
path, offsets, lengths = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3])
read, tail = [], []
for o in offsets:
    for l in lengths:
        try:
            read.append('ok:' + readFile(path, o, l).decode())
        except ValueError as e:
            read.append('fault:' + e.args[0])
        tail.append(tailFile(path, o, l))
print(json.dumps({'read': read, 'tail': tail}))
`;
  const r = spawnSync('/usr/bin/python3', ['-c', code, path, JSON.stringify(OFFSETS), JSON.stringify(LENGTHS)]);
  if (r.status !== 0) return null;
  return JSON.parse(r.stdout.toString());
}

describe('readLog / tailLog against supervisor readFile / tailFile', () => {
  for (const [label, content] of [
    ['a 100-byte file', Array.from({ length: 100 }, (_, i) => String.fromCharCode(65 + (i % 26))).join('')],
    ['an empty file', ''],
  ] as const) {
    it(`agree on every offset/length for ${label}`, async (t) => {
      const dir = tempDir();
      const path = join(dir, 'r.log');
      writeFileSync(path, content);
      const expected = theirs(path);
      if (!expected) return t.skip('python3 with supervisor not available');
      const read: string[] = [];
      const tail: unknown[] = [];
      for (const o of OFFSETS) {
        for (const l of LENGTHS) {
          read.push(await ours(path, o, l));
          const r = await tailLog(path, o, l);
          tail.push([r.bytes, r.offset, r.overflow]);
        }
      }
      assert.deepEqual(read, expected.read);
      assert.deepEqual(tail, expected.tail);
    });
  }
});

describe('readLog / tailLog', () => {
  it('NO_FILE for a missing file or none; tail gives an empty answer', async () => {
    await assert.rejects(readLog('/nonexistent/x.log', 0, 0), (e: RPCFault) => e.code === Faults.NO_FILE && e.detail === '/nonexistent/x.log');
    await assert.rejects(readLog(null, 0, 0), (e: RPCFault) => e.code === Faults.NO_FILE);
    assert.deepEqual(await tailLog(null, 0, 1600), { bytes: '', offset: 0, overflow: false });
    assert.deepEqual(await tailLog('/nonexistent/x.log', 10, 1600), { bytes: '', offset: 0, overflow: false });
  });

  it('FAILED when the path cannot be read (a directory)', async () => {
    await assert.rejects(readLog(tempDir(), 0, 0), (e: RPCFault) => e.code === Faults.FAILED);
  });

  it('tail arithmetic: the last `length` bytes up to the end; overflow when the file is bigger', () => {
    assert.deepEqual(tailRange(0, 1600, 100), { start: 0, length: 1600, offset: 100, overflow: false });
    // supervisor re-sends the window ending at the end of the file, not just the new bytes
    assert.deepEqual(tailRange(100, 1600, 150), { start: 0, length: 1600, offset: 150, overflow: false });
    assert.deepEqual(tailRange(100, 20, 150), { start: 130, length: 20, offset: 150, overflow: true });
    assert.deepEqual(tailRange(100, 1600, 10000), { start: 8400, length: 1600, offset: 10000, overflow: true });
    assert.deepEqual(tailRange(150, 1600, 150), { start: 150, length: 0, offset: 150, overflow: false });
  });

  it('read refuses bytes that are not UTF-8 (supervisor: UnicodeDecodeError, a 500); tail decodes them with replacement characters', async () => {
    const dir = tempDir();
    const path = join(dir, 'bin.log');
    writeFileSync(path, Buffer.from([0xff, 0xfe, 0x61, 0x62, 0x63, 0xe2, 0x82]));
    await assert.rejects(readLog(path, 0, 0), (e: Error) => e.name === 'UnicodeDecodeError' && !(e instanceof RPCFault));
    assert.equal(await readLog(path, 2, 3), 'abc');
    assert.equal((await tailLog(path, 0, 3)).bytes, 'c\ufffd');
    writeFileSync(path, Buffer.from([0xef, 0xbb, 0xbf, 0x61]));
    assert.equal(await readLog(path, 0, 0), '\ufeffa', 'a BOM is kept, as Python decodes it');
    writeFileSync(path, 'é€');
    assert.equal(await readLog(path, 0, 0), 'é€');
  });

  it('a 10 MB line without a newline, captured from a child, reads back whole and tails', async () => {
    const dir = tempDir();
    const path = join(dir, 'long.log');
    const size = 10 * 1024 * 1024;
    const file = new RotatingFile(path, { maxbytes: 0 });
    const child = run('sh', ['-c', `head -c ${size} /dev/zero | tr '\\0' a`]);
    await Promise.all([captureOutput(child.stdout!, file), exited(child)]);
    await file.close();
    const all = await readLog(path, 0, 0);
    assert.equal(all.length, size);
    assert.ok(/^a+$/.test(all));
    assert.equal(await readLog(path, -1600, 0), 'a'.repeat(1600));
    assert.equal(await readLog(path, size - 5, 100), 'aaaaa');
    const tail = await tailLog(path, 0, 1600);
    assert.deepEqual({ ...tail, bytes: tail.bytes.length }, { bytes: 1600, offset: size, overflow: true });
  });
});

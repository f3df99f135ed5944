/**
 * process/command.ts: a command is resolved on PATH with supervisor's errors, and a name looked
 * up once per turn of the event loop: the same answer within the turn, the file system again
 * in the next (a command removed meanwhile is NO_FILE, one made executable is found).
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Faults, RPCFault } from '@tsupervisor/protocol';
import { resolveCommand } from '../src/process/command.js';

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

test('resolveCommand: found on PATH, the same within a turn, looked up again in the next', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tsv-cmd-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const env = { PATH: `${join(dir, 'empty')}:${dir}` };
  const file = join(dir, 'tool');
  writeFileSync(file, '#!/bin/sh\n');
  chmodSync(file, 0o755);
  assert.deepEqual(resolveCommand(['tool', 'a'], env), { filename: file, argv: ['tool', 'a'] });
  rmSync(file);
  // same turn: the name is known
  assert.equal(resolveCommand(['tool'], env).filename, file);
  await nextTurn();
  assert.throws(() => resolveCommand(['tool'], env), (e: unknown) => e instanceof RPCFault && e.code === Faults.NO_FILE && /can't find command 'tool'/.test(e.message));
  // a failure is not remembered: made executable in the same turn, it is found
  writeFileSync(file, '#!/bin/sh\n');
  chmodSync(file, 0o644);
  assert.throws(() => resolveCommand(['tool'], env), (e: unknown) => e instanceof RPCFault && e.code === Faults.NOT_EXECUTABLE);
  chmodSync(file, 0o755);
  assert.equal(resolveCommand(['tool'], env).filename, file);
  // another PATH is another lookup
  assert.throws(() => resolveCommand(['tool'], { PATH: join(dir, 'empty') }), (e: unknown) => e instanceof RPCFault && e.code === Faults.NO_FILE);
});

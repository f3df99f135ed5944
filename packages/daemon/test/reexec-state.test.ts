/**
 * The state file one daemon image hands to the next (reexec/state.ts): written in a private
 * directory of its own, read once, and removed with that directory (each reexec had left an
 * empty tsupervisord-reexec-* directory behind in /tmp).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { test } from 'node:test';
import { newStateFile, STATE_ENV, takeState, writeState, type ReexecState } from '../src/reexec/state.js';

const state = (): ReexecState => ({ version: 1, at: 1, cwd: '/', processes: [], groups: [], fds: [], logs: [], sockets: [] }) as unknown as ReexecState;

test('the state is read once, and its file and private directory are gone after', () => {
  const file = newStateFile();
  assert.match(basename(dirname(file)), /^tsupervisord-reexec-/);
  assert.equal(statSync(dirname(file)).mode & 0o777, 0o700);
  writeState(file, state());
  const env: NodeJS.ProcessEnv = { [STATE_ENV]: file };
  assert.equal(takeState(env)?.cwd, '/');
  assert.equal(env[STATE_ENV], undefined, 'the variable is not passed on to the programs');
  assert.equal(existsSync(file), false);
  assert.equal(existsSync(dirname(file)), false);
});

test('a state file somewhere else: the file goes, its directory stays', () => {
  const dir = mkdtempSync(join(tmpdir(), 'state-elsewhere-'));
  try {
    const file = join(dir, 'state.json');
    writeState(file, state());
    assert.equal(takeState({ [STATE_ENV]: file })?.version, 1);
    assert.equal(existsSync(file), false);
    assert.equal(existsSync(dir), true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

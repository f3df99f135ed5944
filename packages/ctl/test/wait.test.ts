import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ProcessInfo } from '@tsupervisor/protocol';
import { waitVerdict } from '../src/commands/wait.js';

const base = { name: 'a', group: 'a', description: '', start: 0, stop: 0, now: 0, state: 20, spawnerr: '', exitstatus: 0, logfile: '', stdout_logfile: '', stderr_logfile: '', pid: 0 };
const info = (fields: Partial<ProcessInfo>): ProcessInfo => ({ ...base, statename: 'STARTING', ...fields }) as ProcessInfo;

test('wait verdict: the daemon\'s ready flag; RUNNING without it (an older daemon)', () => {
  assert.deepEqual(waitVerdict(info({ statename: 'RUNNING', ready: true })), { kind: 'ready' });
  assert.deepEqual(waitVerdict(info({ statename: 'RUNNING' })), { kind: 'ready' });
  assert.deepEqual(waitVerdict(info({ statename: 'STARTING', ready: false })), { kind: 'pending' });
  assert.deepEqual(waitVerdict(info({ statename: 'BACKOFF', ready: false })), { kind: 'pending' });
  assert.deepEqual(waitVerdict(info({ statename: 'STOPPED', ready: false, waiting_for: ['db (ready)'] })), { kind: 'pending' });
});

test('wait verdict: failed for good, with the reason', () => {
  assert.deepEqual(waitVerdict(info({ statename: 'FATAL', spawnerr: 'not ready after 1 s: tcp:x:1: ECONNREFUSED' })), {
    kind: 'failed',
    reason: 'FATAL (not ready after 1 s: tcp:x:1: ECONNREFUSED)',
  });
  assert.deepEqual(waitVerdict(info({ statename: 'EXITED', exitstatus: 3 })), { kind: 'failed', reason: 'EXITED (exit status 3)' });
  assert.deepEqual(waitVerdict(info({ statename: 'STOPPED', dependency_error: 'dependency db is FATAL' })), {
    kind: 'failed',
    reason: 'STOPPED (dependency db is FATAL)',
  });
  assert.deepEqual(waitVerdict(info({ statename: 'UNKNOWN' })), { kind: 'failed', reason: 'UNKNOWN' });
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startupVerdict } from '../src/readiness/systemd.js';
import { initialState, type ProcState } from '../src/process/transition.js';

const at = (fields: Partial<ProcState>, gateNote: { waitingFor: string[] } | { error: string } | null = null) => ({ snapshot: { ...initialState, ...fields }, gateNote });

test('systemd READY=1 verdict of one autostart process', () => {
  assert.equal(startupVerdict(at({ state: 'RUNNING', ready: true })), 'ready');
  assert.equal(startupVerdict(at({ state: 'STARTING', laststart: 1 })), 'pending');
  assert.equal(startupVerdict(at({ state: 'BACKOFF', laststart: 1 })), 'pending');
  assert.equal(startupVerdict(at({ state: 'STOPPED' }, { waitingFor: ['db (ready)'] })), 'pending');
  assert.equal(startupVerdict(at({ state: 'STOPPED' }, { error: 'dependency db is FATAL' })), 'settled');
  assert.equal(startupVerdict(at({ state: 'FATAL', laststart: 1 })), 'settled');
  assert.equal(startupVerdict(at({ state: 'EXITED', laststart: 1, restartPending: true })), 'pending');
  assert.equal(startupVerdict(at({ state: 'EXITED', laststart: 1 })), 'settled');
});

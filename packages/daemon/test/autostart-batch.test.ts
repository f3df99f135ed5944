/**
 * autostart-batch: a reap handled before the deferred RUNNINGs of an autostart fired fires them
 * first, in spawn order, once each; one whose timer fired or was cleared is not fired again.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deferRunning, flushDeferredRunning, runningSettled } from '../src/process/autostart-batch.js';

test('flushDeferredRunning fires the pending RUNNINGs in spawn order, once, skipping settled ones', () => {
  const fired: string[] = [];
  const [e, d, c] = [{}, {}, {}];
  deferRunning(e, () => fired.push('e'));
  deferRunning(d, () => fired.push('d'));
  deferRunning(c, () => fired.push('c'));
  runningSettled(c); // its timer fired (or was cleared) already
  flushDeferredRunning();
  assert.deepEqual(fired, ['e', 'd']);
  flushDeferredRunning();
  assert.deepEqual(fired, ['e', 'd'], 'nothing fires twice');
});

test('a RUNNING fired during the flush that defers another is not lost', () => {
  const fired: string[] = [];
  const [a, b] = [{}, {}];
  deferRunning(a, () => {
    fired.push('a');
    deferRunning(b, () => fired.push('b'));
  });
  flushDeferredRunning();
  flushDeferredRunning();
  assert.deepEqual(fired, ['a', 'b']);
});

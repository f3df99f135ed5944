import { test } from 'node:test';
import assert from 'node:assert/strict';
import { healthNote, recordCheck, restartReason, STARTING } from '../src/health/verdict.js';

const timings = { retries: 3, startPeriod: 0 };

test('health: a pass is healthy; failures count up to healthcheck_retries, then restart', () => {
  let h = recordCheck(STARTING, null, timings, 1000).health;
  assert.deepEqual(h, { status: 'healthy', failures: 0, answer: '' });
  const answers = ['HTTP 500', 'HTTP 500', 'ECONNREFUSED'];
  const restarts: boolean[] = [];
  for (const a of answers) {
    const o = recordCheck(h, a, timings, 5000);
    h = o.health;
    restarts.push(o.restart);
  }
  assert.deepEqual(restarts, [false, false, true]);
  assert.deepEqual(h, { status: 'unhealthy', failures: 3, answer: 'ECONNREFUSED' });
  assert.equal(restartReason('http://x/h', h), 'unhealthy: 3 health checks failed in a row (healthcheck=http://x/h), last answer: ECONNREFUSED');
});

test('health: a pass in between starts the count again', () => {
  let h = recordCheck(STARTING, 'x', timings, 1000).health;
  h = recordCheck(h, 'x', timings, 1000).health;
  h = recordCheck(h, null, timings, 1000).health;
  const o = recordCheck(h, 'x', timings, 1000);
  assert.equal(o.health.failures, 1);
  assert.equal(o.restart, false);
});

test('health: failures within the start period do not count until a check passed', () => {
  const t = { retries: 1, startPeriod: 10 };
  const early = recordCheck(STARTING, 'ECONNREFUSED', t, 9999);
  assert.deepEqual(early, { health: STARTING, restart: false });
  assert.equal(recordCheck(STARTING, 'ECONNREFUSED', t, 10000).restart, true);
  const healthy = recordCheck(STARTING, null, t, 2000).health;
  assert.equal(recordCheck(healthy, 'ECONNREFUSED', t, 3000).restart, true);
});

test('health: the description note only while a check is failing', () => {
  assert.equal(healthNote(null), '');
  assert.equal(healthNote(STARTING), '');
  assert.equal(healthNote({ status: 'healthy', failures: 0, answer: '' }), '');
  assert.equal(healthNote({ status: 'unhealthy', failures: 1, answer: 'HTTP 503' }), 'unhealthy: HTTP 503');
});

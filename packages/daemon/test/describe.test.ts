import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describe as describeInfo, formatStopTime, formatUptime } from '../src/process/describe.js';

test('uptime as Python timedelta', () => {
  assert.equal(formatUptime(0), '0:00:00');
  assert.equal(formatUptime(3725), '1:02:05');
  assert.equal(formatUptime(86400 + 7), '1 day, 0:00:07');
  assert.equal(formatUptime(2 * 86400 + 3600), '2 days, 1:00:00');
});

test('stop time as %b %d %I:%M %p', () => {
  assert.match(formatStopTime(Date.UTC(2026, 10, 26, 16, 5) / 1000), /^Nov 2[67] \d{2}:05 [AP]M$/);
});

test('descriptions per state', () => {
  const base = { name: 'a', pid: 5, start: 100, stop: 0, now: 165, spawnerr: '' };
  assert.equal(describeInfo({ ...base, statename: 'RUNNING' }), 'pid 5, uptime 0:01:05');
  assert.equal(describeInfo({ ...base, statename: 'STOPPED', start: 0 }), 'Not started');
  assert.equal(describeInfo({ ...base, statename: 'FATAL' }), 'unknown error (try "tail a")');
  assert.equal(describeInfo({ ...base, statename: 'BACKOFF', spawnerr: 'Exited too quickly (process log may have details)' }), 'Exited too quickly (process log may have details)');
  assert.equal(describeInfo({ ...base, statename: 'STARTING' }), '');
});

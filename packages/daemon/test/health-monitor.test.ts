import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventEmitter } from 'node:events';
import { HealthMonitor, type HealthSettings } from '../src/health/monitor.js';
import { toHealthCheck } from '../src/config/readiness.js';
import type { Logger } from '../src/logger.js';

function harness(settings: HealthSettings) {
  const lines: string[] = [];
  const restarts: Array<[number, string]> = [];
  const output = new EventEmitter();
  const logger = { log: (_level: string, msg: string) => lines.push(msg) } as unknown as Logger;
  const monitor = new HealthMonitor(settings, {
    name: () => 'web',
    env: () => ({ PATH: process.env['PATH'] ?? '/usr/bin:/bin' }),
    watchOutput: (fn) => {
      output.on('data', fn);
      return () => output.off('data', fn);
    },
    logger,
    now: () => Date.now(),
    setTimer: (fn, ms) => setTimeout(fn, ms),
    clearTimer: (t) => clearTimeout(t),
    restart: (generation, reason) => restarts.push([generation, reason]),
  });
  return { monitor, lines, restarts, output };
}

const until = async (cond: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
};

test('health monitor: exec: healthy while the file is there, restart after retries once it is gone', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsv-health-'));
  try {
    const file = join(dir, 'ok');
    writeFileSync(file, '');
    const settings = { check: toHealthCheck(`exec:/usr/bin/test -e ${file}`), interval: 0.05, timeout: 2, retries: 2, startPeriod: 0 };
    const { monitor, lines, restarts } = harness(settings);
    monitor.start(7);
    assert.equal(monitor.current?.status, 'starting');
    await until(() => monitor.current?.status === 'healthy');
    rmSync(file);
    await until(() => restarts.length > 0);
    assert.deepEqual(restarts, [[7, `unhealthy: 2 health checks failed in a row (healthcheck=exec:/usr/bin/test -e ${file}), last answer: exit status 1`]]);
    assert.ok(lines.some((l) => l === `web: health check failed (1/2): healthcheck=exec:/usr/bin/test -e ${file}: exit status 1`), lines.join('\n'));
    assert.equal(monitor.current?.status, 'unhealthy');
    monitor.stop();
    assert.equal(monitor.current, null);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('health monitor: log: passes only with a matching line since the last check; stop() ends the checks', async () => {
  const settings = { check: toHealthCheck('log:^alive$'), interval: 0.1, timeout: 1, retries: 3, startPeriod: 0 };
  const { monitor, restarts, output } = harness(settings);
  monitor.start(1);
  const beat = setInterval(() => output.emit('data', Buffer.from('alive\n')), 20);
  await until(() => monitor.current?.status === 'healthy');
  clearInterval(beat);
  output.emit('data', Buffer.from('aliveX\n'));
  await until(() => (monitor.current?.failures ?? 0) >= 1);
  assert.match(monitor.current!.answer, /no stdout line matched/);
  monitor.stop();
  await new Promise((r) => setTimeout(r, 400));
  assert.deepEqual(restarts, []);
  assert.equal(output.listenerCount('data'), 0);
});

test('health monitor: reconfigure applies new settings in place; null settings stop the checks', async () => {
  const { monitor, restarts } = harness({ check: toHealthCheck('exec:/bin/true'), interval: 0.05, timeout: 1, retries: 1, startPeriod: 0 });
  monitor.start(3);
  await until(() => monitor.current?.status === 'healthy');
  monitor.reconfigure({ check: toHealthCheck('exec:/bin/false'), interval: 0.05, timeout: 1, retries: 1, startPeriod: 0 });
  await until(() => restarts.length === 1);
  assert.equal(restarts[0]![0], 3);
  monitor.reconfigure(null);
  assert.equal(monitor.current, null);
});

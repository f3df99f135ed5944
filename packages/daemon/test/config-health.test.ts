import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toHealthCheck, toSeconds } from '../src/config/readiness.js';
import { changedProcessKeys, needsRestart } from '../src/update/keys.js';
import { assertConfigError, load, SUPERVISORD, writeConfs } from './fixtures/config/helpers.js';

test('healthcheck=: the forms of ready= but fd:N', () => {
  assert.deepEqual(toHealthCheck('http://127.0.0.1:81/h'), { kind: 'http', url: 'http://127.0.0.1:81/h', text: 'http://127.0.0.1:81/h' });
  assert.equal(toHealthCheck('exec:/bin/true').kind, 'exec');
  assert.equal(toHealthCheck('log:alive').kind, 'log');
  assert.equal(toHealthCheck('notify').kind, 'notify');
  assert.throws(() => toHealthCheck('fd:3'), /ready= form only/);
  assert.throws(() => toHealthCheck('tcp:x'), /HOST:PORT/);
  assert.equal(toSeconds('0'), 0);
  assert.equal(toSeconds('1.5'), 1.5);
  assert.throws(() => toSeconds('-1'), /seconds >= 0/);
});

test('healthcheck= and its timings read with their defaults; absent without healthcheck=', () => {
  const body =
    '[program:a]\ncommand=/bin/a\nhealthcheck=tcp:127.0.0.1:80\nhealthcheck_interval=2\nhealthcheck_retries=5\n' +
    '[program:b]\ncommand=/bin/b\nhealthcheck=exec:/bin/true\n' +
    '[program:c]\ncommand=/bin/c\n';
  const config = load(writeConfs({ 'supervisord.conf': SUPERVISORD + body }));
  const byName = Object.fromEntries(config.groups.flatMap((g) => g.processes).map((p) => [p.name, p]));
  assert.equal(byName['a']!.healthcheck?.kind, 'tcp');
  assert.equal(byName['a']!.healthcheckInterval, 2);
  assert.equal(byName['a']!.healthcheckRetries, 5);
  assert.equal(byName['a']!.healthcheckTimeout, 5);
  assert.equal(byName['a']!.healthcheckStartPeriod, 0);
  assert.equal(byName['b']!.healthcheckInterval, 30);
  assert.equal(byName['b']!.healthcheckRetries, 3);
  assert.equal('healthcheck' in byName['c']!, false);
  assert.equal('healthcheckInterval' in byName['c']!, false);
});

test('healthcheck= errors: file:line, key and value', () => {
  const dir = writeConfs({ 'supervisord.conf': SUPERVISORD + '[program:web]\ncommand=/bin/web\nhealthcheck=fd:3\n' });
  assertConfigError(() => load(dir), dir, { line: 7, section: 'program:web', key: 'healthcheck', value: 'fd:3', reason: 'ready= form only' });
  const dir2 = writeConfs({ 'supervisord.conf': SUPERVISORD + '[program:web]\ncommand=/bin/web\nhealthcheck=exec:/bin/true\nhealthcheck_retries=0\n' });
  assertConfigError(() => load(dir2), dir2, { line: 8, section: 'program:web', key: 'healthcheck_retries', value: '0', reason: 'lower bound' });
  const dir3 = writeConfs({ 'supervisord.conf': SUPERVISORD + '[program:web]\ncommand=/bin/web\nhealthcheck=notify\n' });
  assert.throws(() => load(dir3), /set ready=notify too/);
});

test('update: readiness and health keys are applied in place', () => {
  const base = load(writeConfs({ 'supervisord.conf': SUPERVISORD + '[program:a]\ncommand=/bin/a\n' })).groups[0]!.processes[0]!;
  const next = load(
    writeConfs({ 'supervisord.conf': SUPERVISORD + '[program:a]\ncommand=/bin/a\nready=log:up\nhealthcheck=log:alive\nhealthcheck_interval=3\n' }),
  ).groups[0]!.processes[0]!;
  const keys = changedProcessKeys(base, next);
  assert.ok(keys.includes('ready') && keys.includes('healthcheck') && keys.includes('healthcheck_interval'), keys.join(','));
  assert.equal(needsRestart(keys), false);
  assert.equal(needsRestart(['command']), true);
});

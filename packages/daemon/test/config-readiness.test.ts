import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toReadyCheck, toReadyTimeout } from '../src/config/readiness.js';
import { assertConfigError, load, SUPERVISORD, writeConfs } from './fixtures/config/helpers.js';

test('ready=: every form parsed', () => {
  assert.deepEqual(toReadyCheck('notify'), { kind: 'notify', text: 'notify' });
  assert.deepEqual(toReadyCheck(' fd:3 '), { kind: 'fd', fd: 3, text: 'fd:3' });
  assert.deepEqual(toReadyCheck('tcp:127.0.0.1:8080'), { kind: 'tcp', host: '127.0.0.1', port: 8080, text: 'tcp:127.0.0.1:8080' });
  assert.deepEqual(toReadyCheck('tcp:[::1]:80'), { kind: 'tcp', host: '::1', port: 80, text: 'tcp:[::1]:80' });
  assert.deepEqual(toReadyCheck('http://127.0.0.1:81/health?x=1'), {
    kind: 'http',
    url: 'http://127.0.0.1:81/health?x=1',
    text: 'http://127.0.0.1:81/health?x=1',
  });
  assert.deepEqual(toReadyCheck('exec:/usr/bin/test -e "/tmp/a b"'), {
    kind: 'exec',
    argv: ['/usr/bin/test', '-e', '/tmp/a b'],
    text: 'exec:/usr/bin/test -e "/tmp/a b"',
  });
  assert.deepEqual(toReadyCheck('log:listening on :\\d+'), { kind: 'log', pattern: 'listening on :\\d+', text: 'log:listening on :\\d+' });
  assert.equal(toReadyTimeout('0.5'), 0.5);
});

test('ready=: malformed values refused with the reason', () => {
  const bad: Array<[string, RegExp]> = [
    ['notifyx', /expected notify, fd:N/],
    ['fd:', /fd: needs/],
    ['fd:2', /between 3 and 1023/],
    ['tcp:localhost', /HOST:PORT/],
    ['tcp:127.0.0.1:70000', /1-65535/],
    ['http://', /http/],
    ['exec:', /needs a command/],
    ['exec:"unterminated', /cannot split/],
    ['log:(', /bad regular expression/],
  ];
  for (const [value, reason] of bad) assert.throws(() => toReadyCheck(value), reason, value);
  for (const value of ['0', '-1', 'abc', '']) assert.throws(() => toReadyTimeout(value), /seconds > 0/, value);
});

test('ready= / ready_timeout= in a section: file:line, key and value', () => {
  const body = '[program:web]\ncommand=/bin/web\nready=tcp:nowhere\n';
  const dir = writeConfs({ 'supervisord.conf': SUPERVISORD + body });
  assertConfigError(() => load(dir), dir, { line: 7, section: 'program:web', key: 'ready', value: 'tcp:nowhere', reason: 'HOST:PORT' });
  const dir2 = writeConfs({ 'supervisord.conf': SUPERVISORD + '[eventlistener:l]\ncommand=/bin/l\nevents=TICK_5\nready_timeout=soon\n' });
  assertConfigError(() => load(dir2), dir2, { line: 8, section: 'eventlistener:l', key: 'ready_timeout', value: 'soon', reason: 'seconds' });
});

test('ready= read in program, fcgi-program and eventlistener sections', () => {
  const body =
    '[program:a]\ncommand=/bin/a\nready=notify\nready_timeout=5\n' +
    '[fcgi-program:b]\ncommand=/bin/b\nsocket=tcp://127.0.0.1:9999\nready=fd:4\n' +
    '[eventlistener:c]\ncommand=/bin/c\nevents=TICK_5\nready=log:up\n';
  const dir = writeConfs({ 'supervisord.conf': SUPERVISORD + body });
  const config = load(dir);
  const byName = Object.fromEntries(config.groups.flatMap((g) => g.processes).map((p) => [p.name, p]));
  assert.equal(byName['a']!.ready?.kind, 'notify');
  assert.equal(byName['a']!.readyTimeout, 5);
  assert.equal(byName['b']!.ready?.kind, 'fd');
  assert.equal(byName['b']!.readyTimeout, 60);
  assert.equal(byName['c']!.ready?.kind, 'log');
  assert.deepEqual(config.warnings, []);
});

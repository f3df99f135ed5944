import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ErrorCodes, hasCode } from '@tsupervisor/protocol';
import { ConfigError } from '../src/config/errors.js';
import { assertConfigError, load, SUPERVISORD, writeConfs } from './fixtures/config/helpers.js';

// SUPERVISORD takes lines 1-4, so the first line of `body` is line 5.
function expectError(body: string, want: Parameters<typeof assertConfigError>[2]): ConfigError {
  const dir = writeConfs({ 'supervisord.conf': SUPERVISORD + body });
  return assertConfigError(() => load(dir), dir, want);
}

const program = (extra: string) => `[program:web]\ncommand=/bin/web\n${extra}\n`;

test('the rendering: one line, file:line: [section] key = "value": reason', () => {
  const err = expectError(program('startsecs=abc'), { line: 7, section: 'program:web', key: 'startsecs', value: 'abc' });
  assert.match(err.toString(), /^Error: \/.*\/supervisord\.conf:7: \[program:web\] startsecs = "abc": not an integer$/);
  assert.equal(err.toString(), `Error: ${err.message}`);
  assert.equal(err.reason, 'not an integer');
});

test('bad integer', () => {
  expectError(program('stopwaitsecs=1.5'), { line: 7, section: 'program:web', key: 'stopwaitsecs', value: '1.5', reason: 'not an integer' });
});

test('bad boolean', () => {
  expectError(program('autostart=maybe'), { line: 7, section: 'program:web', key: 'autostart', value: 'maybe', reason: 'not a valid boolean value' });
});

test('bad byte size', () => {
  expectError(program('stdout_logfile_maxbytes=10XB'), {
    line: 7,
    section: 'program:web',
    key: 'stdout_logfile_maxbytes',
    value: '10XB',
    reason: 'byte size',
  });
});

test('bad signal', () => {
  expectError(program('stopsignal=FOO'), { line: 7, section: 'program:web', key: 'stopsignal', value: 'FOO', reason: "value 'FOO' is not a valid signal name" });
});

test('bad exit codes', () => {
  expectError(program('exitcodes=0,256'), { line: 7, section: 'program:web', key: 'exitcodes', value: '0,256', reason: "not a valid list of exit codes: '0,256'" });
});

test('bad priority', () => {
  expectError(program('priority=high'), { line: 7, section: 'program:web', key: 'priority', value: 'high', reason: 'not an integer' });
});

test('bad autorestart, octal umask, environment', () => {
  expectError(program('autorestart=sometimes'), { line: 7, section: 'program:web', key: 'autorestart', value: 'sometimes' });
  expectError(program('umask=999'), { line: 7, section: 'program:web', key: 'umask', value: '999', reason: 'can not be converted to an octal type' });
  expectError(program('environment=A=1,B'), { line: 7, section: 'program:web', key: 'environment', value: 'A=1,B', reason: 'Unexpected end of key/value pairs' });
});

test('unknown user', () => {
  expectError(program('user=nosuchuser'), { line: 7, section: 'program:web', key: 'user', value: 'nosuchuser', reason: 'Invalid user name nosuchuser' });
});

test('unknown expansion name: supervisor\'s text, and the expanded value when it differs', () => {
  expectError('[program:web]\ncommand=sleep %(foo)s\n', {
    line: 6,
    section: 'program:web',
    key: 'command',
    value: 'sleep %(foo)s',
    reason: /^Format string 'sleep %\(foo\)s' for 'program:web\.command' contains names \('foo'\) which cannot be expanded\. Available names: ENV_HOME, .*group_name, here, host_node_name, numprocs, process_num, program_name$/,
  });
  expectError(program('startsecs=%(ENV_HOME)s'), {
    line: 7,
    key: 'startsecs',
    value: '%(ENV_HOME)s',
    reason: 'not an integer (expanded: "/home/tester")',
  });
  // Keys read once per section do not know process_num (as in supervisor).
  expectError(program('priority=%(process_num)d'), { line: 7, key: 'priority', reason: "contains names ('process_num')" });
});

test('unparseable or empty command: loaded, as supervisor does; the process fails at spawn', () => {
  const dir = writeConfs({ 'supervisord.conf': `${SUPERVISORD}[program:web]\ncommand=/bin/sh -c "echo\n\n[program:empty]\ncommand=\n` });
  const procs = Object.fromEntries(load(dir).groups.flatMap((g) => g.processes).map((p) => [p.name, p]));
  assert.deepEqual(procs['web'].argv, []);
  assert.equal(procs['web'].commandError, `can't parse command '/bin/sh -c "echo': No closing quotation`);
  assert.equal(procs['empty'].commandError, 'command is empty');
});

test('missing command: the section header\'s line', () => {
  const err = expectError('[program:web]\nstartsecs=1\n', { line: 5, section: 'program:web', key: 'command' });
  assert.match(err.toString(), /supervisord\.conf:5: \[program:web\] command: program section program:web does not specify a command$/);
});

test('numprocs > 1 without process_num', () => {
  expectError(program('numprocs=2\nprocess_name=web'), {
    line: 8,
    section: 'program:web',
    key: 'process_name',
    value: 'web',
    reason: '%(process_num) must be present within process_name when numprocs > 1',
  });
  expectError(program('numprocs=2'), { line: 7, section: 'program:web', key: 'numprocs', value: '2', reason: '%(process_num) must be present' });
});

test('stopasgroup=true with killasgroup=false', () => {
  expectError(program('stopasgroup=true\nkillasgroup=false'), {
    line: 8,
    section: 'program:web',
    key: 'killasgroup',
    value: 'false',
    reason: 'Cannot set stopasgroup=true and killasgroup=false',
  });
});

test('bad names', () => {
  expectError('[program:my web]\ncommand=/bin/x\n', { line: 5, section: 'program:my web', reason: "Invalid name: 'my web' because of character: ' '" });
  expectError(program('process_name=a/%(process_num)d'), { line: 7, key: 'process_name', value: 'a/%(process_num)d', reason: 'Invalid name' });
});

test('log file in a directory that does not exist', () => {
  expectError(program('stdout_logfile=/nonexistent/dir/x.log'), {
    line: 7,
    key: 'stdout_logfile',
    value: '/nonexistent/dir/x.log',
    reason: 'The directory named as part of the path /nonexistent/dir/x.log does not exist',
  });
});

test('[group:x] naming an unknown program', () => {
  expectError('[program:a]\ncommand=/bin/a\n[group:g]\nprograms=a,zz\n', {
    line: 8,
    section: 'group:g',
    key: 'programs',
    value: 'a,zz',
    reason: '[group:g] names unknown program or fcgi-program zz',
  });
});

test('[group:x] naming a program that is both program and fcgi-program', () => {
  expectError('[program:a]\ncommand=/bin/a\n[fcgi-program:a]\nsocket=tcp://127.0.0.1:1\ncommand=/bin/a\n[group:g]\nprograms=a\n', {
    line: 11,
    key: 'programs',
    reason: 'ambiguous',
  });
});

test('fcgi-program without socket, bad socket URL, owner on tcp, backlog out of range', () => {
  expectError('[fcgi-program:f]\ncommand=/bin/f\n', { line: 5, section: 'fcgi-program:f', key: 'socket', reason: '[fcgi-program:f] section requires a "socket" line' });
  expectError('[fcgi-program:f]\ncommand=/bin/f\nsocket=tcp://::1:9000\n', { line: 7, section: 'fcgi-program:f', key: 'socket', value: 'tcp://::1:9000', reason: 'Bad socket format' });
  expectError('[fcgi-program:f]\ncommand=/bin/f\nsocket=unix://rel.sock\n', { line: 7, key: 'socket', value: 'unix://rel.sock', reason: 'is not an absolute path' });
  expectError('[fcgi-program:f]\ncommand=/bin/f\nsocket=tcp://127.0.0.1:9000\nsocket_mode=0600\n', {
    line: 8,
    key: 'socket_mode',
    value: '0600',
    reason: 'socket_owner and socket_mode params should only be used with a Unix domain socket',
  });
  expectError('[fcgi-program:f]\ncommand=/bin/f\nsocket=tcp://127.0.0.1:9000\nsocket_backlog=0\n', { line: 8, key: 'socket_backlog', value: '0', reason: 'Invalid socket_backlog value 0' });
  expectError('[fcgi-program:f]\ncommand=/bin/f\nsocket=unix:///tmp/f.sock\nsocket_owner=nobody:nogroupx\n', {
    line: 8,
    key: 'socket_owner',
    value: 'nobody:nogroupx',
    reason: 'Invalid user:group definition',
  });
  expectError('[fcgi-program:f]\ncommand=/bin/f\nsocket=tcp://127.0.0.1:9000\nsocket_pass=fd3\n', { line: 8, key: 'socket_pass', value: 'fd3' });
});

test('eventlistener: redirect_stderr, events missing or unknown, buffer_size', () => {
  expectError('[eventlistener:e]\ncommand=/bin/e\nevents=TICK_5\nredirect_stderr=true\n', {
    line: 8,
    section: 'eventlistener:e',
    key: 'redirect_stderr',
    value: 'true',
    reason: 'not allowed because it will interfere with the eventlistener protocol',
  });
  expectError('[eventlistener:e]\ncommand=/bin/e\n', { line: 5, key: 'events', reason: 'section requires an "events" line' });
  expectError('[eventlistener:e]\ncommand=/bin/e\nevents=TICK_7\n', { line: 7, key: 'events', value: 'TICK_7', reason: 'Unknown event type TICK_7' });
  expectError('[eventlistener:e]\ncommand=/bin/e\nevents=TICK_5\nbuffer_size=0\n', { line: 8, key: 'buffer_size', value: '0', reason: 'invalid buffer_size (0)' });
});

test('[supervisord] values', () => {
  const dir = writeConfs({ 'supervisord.conf': '[supervisord]\nchildlogdir=/nonexistent\n' });
  assertConfigError(() => load(dir), dir, { line: 2, section: 'supervisord', key: 'childlogdir', value: '/nonexistent', reason: '/nonexistent is not an existing directory' });
  const dir2 = writeConfs({ 'supervisord.conf': '[supervisord]\nloglevel=loud\nnodaemon=maybe\n' });
  assertConfigError(() => load(dir2), dir2, { line: 2, key: 'loglevel', value: 'loud', reason: "bad logging level name 'loud'" });
  const dir3 = writeConfs({ 'supervisord.conf': '[supervisord]\nuser=nosuchuser\n' });
  assertConfigError(() => load(dir3), dir3, { line: 2, key: 'user', value: 'nosuchuser', reason: 'Invalid user name nosuchuser' });
});

test('http server sections', () => {
  expectError('[unix_http_server]\nchmod=0700\n', { line: 5, section: 'unix_http_server', key: 'file', reason: 'section [unix_http_server] has no file value' });
  expectError('[unix_http_server]\nfile=/tmp/x.sock\nchown=nobody:nogroupx\n', { line: 7, key: 'chown', value: 'nobody:nogroupx', reason: 'Invalid sockchown value nobody:nogroupx' });
  expectError('[inet_http_server]\nport=abc\n', { line: 6, section: 'inet_http_server', key: 'port', value: 'abc', reason: "not a valid port number: 'abc'" });
  expectError('[inet_http_server]\nport=9001\nusername=a\n', { line: 7, key: 'username', value: 'a', reason: 'contains incomplete authentication' });
});

test('no section header', () => {
  const dir = writeConfs({ 'supervisord.conf': 'foo=bar\n[supervisord]\n' });
  assertConfigError(() => load(dir), dir, { line: 1, reason: 'File contains no section headers: "foo=bar"' });
});

test('a bad value in an included file names that file and line', () => {
  const dir = writeConfs({
    'supervisord.conf': SUPERVISORD + '[include]\nfiles=conf.d/*.conf\n',
    'conf.d/web.conf': '; web\n[program:web]\ncommand=/bin/web\nstartsecs=soon\n',
  });
  assertConfigError(() => load(dir), dir, { file: join(dir, 'conf.d/web.conf'), line: 4, section: 'program:web', key: 'startsecs', value: 'soon' });
});

test('[include] without files=', () => {
  expectError('[include]\nfile=x.conf\n', { line: 5, section: 'include', key: 'files', reason: '.ini file has [include] section, but no files setting' });
});

test('no [supervisord] section; no such file', () => {
  const dir = writeConfs({ 'supervisord.conf': '[program:a]\ncommand=/bin/a\n' });
  assert.throws(() => load(dir), (e: unknown) => e instanceof ConfigError && e.toString() === `Error: ${join(dir, 'supervisord.conf')}: .ini file does not include supervisord section`);
  assert.throws(() => load(dir, 'nope.conf'), (e: unknown) => e instanceof ConfigError && e.reason === `could not find config file ${join(dir, 'nope.conf')}`);
});

test('[rpcinterface:x] without a factory', () => {
  expectError('[rpcinterface:supervisor]\nfoo=bar\n', { line: 5, section: 'rpcinterface:supervisor', key: 'supervisor.rpcinterface_factory', reason: 'does not specify a supervisor.rpcinterface_factory' });
  expectError('[rpcinterface:other]\nsupervisor.rpcinterface_factory = foo.bar:baz\n', {
    line: 6,
    section: 'rpcinterface:other',
    key: 'supervisor.rpcinterface_factory',
    reason: 'foo.bar:baz cannot be resolved within [rpcinterface:other]',
  });
});

test('config errors carry a code: a missing file is CONFIG_NOT_FOUND, anything else CONFIG_INVALID', () => {
  const dir = writeConfs({ 'supervisord.conf': SUPERVISORD + program('startsecs=abc') });
  assert.throws(() => load(dir, 'nope.conf'), (e: unknown) => hasCode(e, ErrorCodes.CONFIG_NOT_FOUND));
  assert.throws(() => load(dir), (e: unknown) => hasCode(e, ErrorCodes.CONFIG_INVALID));
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { load, loadBody, SUPERVISORD, writeConfs } from './fixtures/config/helpers.js';

test('[include]: globs relative to the including file, sorted, %(here)s of each file', () => {
  const dir = writeConfs({
    'supervisord.conf': SUPERVISORD + '[include]\nfiles = conf.d/*.conf %(here)s/extra/one.ini missing/*.conf\n',
    'conf.d/b.conf': '[program:b]\ncommand=/bin/b %(here)s\n',
    'conf.d/a.conf': '[program:a]\ncommand=/bin/a %(here)s\n[supervisord]\nloglevel=debug\n',
    'conf.d/.hidden.conf': '[program:hidden]\ncommand=/bin/h\n',
    'conf.d/skip.txt': '[program:txt]\ncommand=/bin/t\n',
    'extra/one.ini': '[program:c]\ncommand=/bin/c %(here)s\nstdout_logfile=%(here)s/c.log\n',
  });
  const c = load(dir);
  assert.deepEqual(c.files, [
    join(dir, 'supervisord.conf'),
    join(dir, 'conf.d/a.conf'),
    join(dir, 'conf.d/b.conf'),
    join(dir, 'extra/one.ini'),
  ]);
  assert.deepEqual(c.groups.map((g) => g.name), ['a', 'b', 'c']);
  assert.deepEqual(c.groups[0].processes[0].argv, ['/bin/a', join(dir, 'conf.d')]);
  assert.deepEqual(c.groups[2].processes[0].argv, ['/bin/c', join(dir, 'extra')]);
  assert.deepEqual(c.groups[2].processes[0].stdout.target, { kind: 'path', path: join(dir, 'extra/c.log') });
  assert.deepEqual(c.groups[2].origin, { file: join(dir, 'extra/one.ini'), line: 1 });
  assert.equal(c.supervisord.loglevel, 'debug', 'included sections merge with the main file\'s');
  assert.deepEqual(c.warnings, [`${join(dir, 'supervisord.conf')}:6: [include] files: No file matches via include "${join(dir, 'missing/*.conf')}"`]);
  assert.deepEqual(c.infos, [
    `Included extra file "${join(dir, 'conf.d/a.conf')}" during parsing`,
    `Included extra file "${join(dir, 'conf.d/b.conf')}" during parsing`,
    `Included extra file "${join(dir, 'extra/one.ini')}" during parsing`,
  ]);
});

test('[include] cycles: no recursion; a file matched again (even itself) is re-read, as supervisor does', () => {
  // supervisord 4.2.5 starts normally with `files=*.conf` next to itself (checked by running it):
  // it logs 'Included extra file ".../supervisord.conf"' and merges the same sections again.
  const dir = writeConfs({
    'supervisord.conf': SUPERVISORD + '[include]\nfiles=*.conf\n[program:main]\ncommand=/bin/main\n',
    'z.conf': '[include]\nfiles=supervisord.conf\n[program:z]\ncommand=/bin/z\n',
  });
  const c = load(dir);
  assert.deepEqual(c.groups.map((g) => g.name), ['main', 'z']);
  assert.deepEqual(c.files, [join(dir, 'supervisord.conf'), join(dir, 'z.conf')]);
  assert.ok(c.warnings.some((w) => w.includes('is read a second time')), c.warnings.join('\n'));
  assert.ok(c.warnings.some((w) => w.startsWith(`${join(dir, 'z.conf')}:2: [include] files: includes are not recursive`)), c.warnings.join('\n'));
});

test('[fcgi-program:x]: tcp socket, defaults, and processes', () => {
  const { config } = loadBody(
    '[fcgi-program:web]\nsocket=tcp://127.0.0.1:9000\ncommand=/usr/bin/php-cgi\nnumprocs=3\nprocess_name=%(program_name)s_%(process_num)d\n',
  );
  const g = config.groups[0];
  assert.equal(g.kind, 'fcgi-program');
  assert.deepEqual(g.socket, {
    address: { kind: 'tcp', host: '127.0.0.1', port: 9000, url: 'tcp://127.0.0.1:9000' },
    backlog: 4096,
    owner: null,
    mode: 0o700,
    pass: 'stdin',
    drain: false, // socket_drain's default: one shared socket, as supervisor
  });
  assert.deepEqual(g.processes.map((p) => p.name), ['web_0', 'web_1', 'web_2']);
});

test('[fcgi-program:x]: IPv6, unix with owner/mode/backlog, %(program_name)s, socket_pass', () => {
  const { config } = loadBody(
    '[fcgi-program:v6]\nsocket=tcp://[::1]:9001\nsocket_backlog=64\nsocket_pass=listen_fds\ncommand=/bin/app\n' +
      '[fcgi-program:sock]\nsocket=unix:///run/%(program_name)s.sock\nsocket_owner=nobody:nogroup\nsocket_mode=0660\ncommand=/bin/app\n' +
      '[fcgi-program:asuser]\nsocket=unix:///run/asuser.sock\nuser=www-data\ncommand=/bin/app\n',
  );
  const socketOf = (name: string) => config.groups.find((g) => g.name === name)!.socket!;
  const [v6, sock, asuser] = [socketOf('v6'), socketOf('sock'), socketOf('asuser')];
  assert.deepEqual(v6.address, { kind: 'tcp', host: '::1', port: 9001, url: 'tcp://[::1]:9001' });
  assert.equal(v6.backlog, 64);
  assert.equal(v6.pass, 'listen_fds');
  assert.deepEqual(sock.address, { kind: 'unix', path: '/run/sock.sock', url: 'unix:///run/sock.sock' });
  assert.deepEqual(sock.owner, { user: 'nobody', group: 'nogroup', uid: 65534, gid: 65534 });
  assert.equal(sock.mode, 0o660);
  assert.deepEqual(asuser.owner, { user: 'www-data', group: 'www-data', uid: 33, gid: 33 }, 'user= and its primary group');
  assert.equal(asuser.mode, 0o700);
});

test('[group:x]: members leave their own groups; order and priority', () => {
  const { config } = loadBody(
    '[program:a]\ncommand=/bin/a\npriority=10\n[program:b]\ncommand=/bin/b\n[program:solo]\ncommand=/bin/s\npriority=1\n' +
      '[group:g]\nprograms=b, a\npriority=50\n',
  );
  assert.deepEqual(config.groups.map((g) => [g.name, g.kind, g.priority]), [
    ['solo', 'program', 1],
    ['g', 'group', 50],
  ]);
  const g = config.groups[1];
  assert.deepEqual(g.processes.map((p) => [p.name, p.groupName, p.priority]), [
    ['b', 'g', 999],
    ['a', 'g', 10],
  ]);
});

test('[group:x] with an fcgi-program member: runs as a plain program (supervisor 4.2.5), with a warning', () => {
  const { config } = loadBody('[fcgi-program:f]\nsocket=tcp://127.0.0.1:9000\ncommand=/bin/f\n[group:g]\nprograms=f\n');
  assert.deepEqual(config.groups.map((g) => [g.name, g.kind, g.socket]), [['g', 'group', null]]);
  assert.ok(config.warnings.some((w) => w.includes('[fcgi-program:f] is a member of [group:g]')));
});

test('[eventlistener:x] defaults', () => {
  const { config } = loadBody('[eventlistener:mon]\ncommand=/bin/listener\nevents=process_state, TICK_60,PROCESS_STATE\n');
  const g = config.groups[0];
  assert.equal(g.kind, 'eventlistener');
  assert.equal(g.priority, -1);
  assert.deepEqual(g.listener, {
    events: ['PROCESS_STATE', 'TICK_60'],
    bufferSize: 10,
    resultHandler: 'supervisor.dispatchers:default_handler',
  });
  assert.equal(g.processes[0].priority, 999, 'the pool is -1; its processes keep the program default');
});

test('groups sort by priority then name, as supervisor\'s Config.__lt__', () => {
  const { config } = loadBody(
    '[fcgi-program:f]\nsocket=tcp://127.0.0.1:9000\ncommand=/bin/f\n[eventlistener:e]\ncommand=/bin/e\nevents=TICK_5\npriority=999\n' +
      '[program:p]\ncommand=/bin/p\n[program:q]\ncommand=/bin/q\n[group:g]\nprograms=q\n',
  );
  assert.deepEqual(config.groups.map((g) => g.name), ['e', 'f', 'g', 'p']);
});

test('processes of a program sort by name (string order, as supervisor)', () => {
  const { config } = loadBody('[program:w]\ncommand=/bin/w\nnumprocs=11\nprocess_name=w_%(process_num)d\n');
  assert.deepEqual(
    config.groups[0].processes.map((p) => p.name),
    ['w_0', 'w_1', 'w_10', 'w_2', 'w_3', 'w_4', 'w_5', 'w_6', 'w_7', 'w_8', 'w_9'],
  );
});

test('servers and supervisorctl sections', () => {
  const { config, dir } = loadBody(
    '[unix_http_server]\nfile=%(here)s/supervisor.sock\nchmod=0770\nchown=nobody:nogroup\nusername=u\npassword={SHA}abc\n' +
      '[inet_http_server]\nport=127.0.0.1:9001\n' +
      '[supervisorctl]\nserverurl=unix://%(here)s/supervisor.sock\nhistory_file=~/.sc_history\n' +
      '[rpcinterface:supervisor]\nsupervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface\n' +
      '[ctlplugin:x]\nsupervisor.ctl_factory = x:y\n',
  );
  assert.deepEqual(config.unixHttpServer, {
    file: join(dir, 'supervisor.sock'),
    chmod: 0o770,
    chown: { user: 'nobody', group: 'nogroup', uid: 65534, gid: 65534 },
    username: 'u',
    password: '{SHA}abc',
  });
  assert.deepEqual(config.inetHttpServer, { port: '127.0.0.1:9001', host: '127.0.0.1', portNumber: 9001, username: null, password: null });
  assert.deepEqual(config.supervisorctl, {
    serverurl: `unix://${join(dir, 'supervisor.sock')}`,
    prompt: 'supervisor',
    username: null,
    password: null,
    historyFile: '/home/tester/.sc_history',
  });
  assert.deepEqual(config.warnings, []);
});

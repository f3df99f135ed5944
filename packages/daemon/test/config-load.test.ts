import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { LogConfig, ProcessConfig } from '../src/config/types.js';
import { load, loadBody, SUPERVISORD, writeConfs } from './fixtures/config/helpers.js';

const MB50 = 50 * 1024 * 1024;
const defaultLog: LogConfig = {
  target: { kind: 'auto' },
  maxbytes: MB50,
  backups: 10,
  captureMaxbytes: 0,
  eventsEnabled: false,
  syslog: false,
};

test('[supervisord] defaults, relative paths against cwd', () => {
  const dir = writeConfs({ 'supervisord.conf': '[supervisord]\n' });
  const c = load(dir);
  assert.deepEqual(c.supervisord, {
    minfds: 1024,
    minprocs: 200,
    directory: null,
    user: null,
    umask: 0o22,
    logfile: join(dir, 'supervisord.log'),
    logfileMaxbytes: MB50,
    logfileBackups: 10,
    loglevel: 'info',
    pidfile: join(dir, 'supervisord.pid'),
    identifier: 'supervisor',
    auditLogfile: 'AUTO',
    nodaemon: false,
    silent: false,
    childlogdir: '/tmp',
    nocleanup: false,
    stripAnsi: false,
    environment: {},
  });
  assert.deepEqual(c.groups, []);
  assert.equal(c.unixHttpServer, null);
  assert.equal(c.inetHttpServer, null);
  assert.equal(c.supervisorctl, null);
  assert.deepEqual(c.files, [join(dir, 'supervisord.conf')]);
  assert.deepEqual(c.warnings, []);
});

test('[supervisord] values: sizes, octal, booleans, syslog, %(here)s, ~', () => {
  const dir = writeConfs({
    'etc/supervisord.conf':
      '[supervisord]\nlogfile=syslog\nlogfile_maxbytes=1KB\numask=077\nnodaemon=yes\nloglevel=DEBUG\n' +
      'pidfile=%(here)s/run/s.pid\nchildlogdir=%(here)s\nidentifier=%(ENV_HOME)s\nminfds=4096\ndirectory=~\n',
    'etc/run/.keep': '',
  });
  const s = load(dir, 'etc/supervisord.conf', { env: { HOME: dir } }).supervisord;
  assert.equal(s.logfile, 'syslog');
  assert.equal(s.logfileMaxbytes, 1024);
  assert.equal(s.umask, 0o77);
  assert.equal(s.nodaemon, true);
  assert.equal(s.loglevel, 'debug');
  assert.equal(s.pidfile, join(dir, 'etc/run/s.pid'));
  assert.equal(s.childlogdir, join(dir, 'etc'));
  assert.equal(s.identifier, dir);
  assert.equal(s.minfds, 4096);
  assert.equal(s.directory, dir);
});

test('every [program:x] key has supervisor\'s default', () => {
  const { config, dir } = loadBody('[program:x]\ncommand=/bin/cat\n');
  assert.equal(config.groups.length, 1);
  const g = config.groups[0];
  assert.deepEqual(
    { name: g.name, kind: g.kind, priority: g.priority, socket: g.socket, listener: g.listener },
    { name: 'x', kind: 'program', priority: 999, socket: null, listener: null },
  );
  const expected: ProcessConfig = {
    name: 'x',
    programName: 'x',
    groupName: 'x',
    processNum: 0,
    command: '/bin/cat',
    argv: ['/bin/cat'],
    priority: 999,
    autostart: true,
    startsecs: 1,
    startretries: 3,
    autorestart: 'unexpected',
    exitcodes: [0],
    stopsignal: 'TERM',
    stopwaitsecs: 10,
    stopasgroup: false,
    killasgroup: false,
    user: null,
    uid: null,
    redirectStderr: false,
    stdout: defaultLog,
    stderr: defaultLog,
    environment: {},
    directory: null,
    umask: null,
    serverurl: 'AUTO',
    logTimestamps: false,
    ready: null,
    readyTimeout: 60,
    origin: { file: join(dir, 'supervisord.conf'), line: 5 },
  };
  assert.deepEqual(g.processes, [expected]);
});

test('[program:x] values: every kind converted', () => {
  const { config, dir } = loadBody(
    [
      '[program:web]',
      'command=/usr/bin/env "A B" \'c d\' e\\ f',
      'priority=5',
      'autostart=false',
      'startsecs=0',
      'startretries=7',
      'autorestart=true',
      'exitcodes=0,2',
      'stopsignal=SIGQUIT',
      'stopwaitsecs=3',
      'stopasgroup=true',
      'user=www-data',
      'redirect_stderr=true',
      'stdout_logfile=%(here)s/web.log',
      'stdout_logfile_maxbytes=1MB',
      'stdout_logfile_backups=0',
      'stdout_capture_maxbytes=1KB',
      'stdout_events_enabled=true',
      'stderr_syslog=true',
      'environment=A="1",B=two',
      'directory=/tmp',
      'umask=002',
      'serverurl=unix:///tmp/other.sock',
      'log_timestamps=on',
      '',
    ].join('\n'),
  );
  const p = config.groups[0].processes[0];
  assert.deepEqual(p.argv, ['/usr/bin/env', 'A B', 'c d', 'e f']);
  assert.equal(p.priority, 5);
  assert.equal(config.groups[0].priority, 5);
  assert.equal(p.autostart, false);
  assert.equal(p.startsecs, 0);
  assert.equal(p.startretries, 7);
  assert.equal(p.autorestart, 'true');
  assert.deepEqual(p.exitcodes, [0, 2]);
  assert.equal(p.stopsignal, 'QUIT');
  assert.equal(p.stopwaitsecs, 3);
  assert.equal(p.stopasgroup, true);
  assert.equal(p.killasgroup, true, 'killasgroup defaults to stopasgroup');
  assert.equal(p.user, 'www-data');
  assert.equal(p.uid, 33);
  assert.equal(p.redirectStderr, true);
  assert.deepEqual(p.stdout, {
    target: { kind: 'path', path: join(dir, 'web.log') },
    maxbytes: 1024 * 1024,
    backups: 0,
    captureMaxbytes: 1024,
    eventsEnabled: true,
    syslog: false,
  });
  assert.deepEqual(p.stderr.target, { kind: 'none' }, 'redirect_stderr: no stderr log');
  assert.equal(p.stderr.syslog, true);
  assert.deepEqual(p.environment, { A: '1', B: 'two' });
  assert.equal(p.directory, '/tmp');
  assert.equal(p.umask, 0o2);
  assert.equal(p.serverurl, 'unix:///tmp/other.sock');
  assert.equal(p.logTimestamps, true);
});

test('numprocs with process_name %(program_name)s_%(process_num)02d → fastcgi_test_00..05', () => {
  const { config } = loadBody(
    '[program:fastcgi_test]\ncommand=/bin/worker --id %(process_num)d of %(numprocs)d\nnumprocs=6\nprocess_name=%(program_name)s_%(process_num)02d\n',
  );
  const procs = config.groups[0].processes;
  assert.deepEqual(
    procs.map((p) => p.name),
    ['fastcgi_test_00', 'fastcgi_test_01', 'fastcgi_test_02', 'fastcgi_test_03', 'fastcgi_test_04', 'fastcgi_test_05'],
  );
  assert.deepEqual(procs.map((p) => p.processNum), [0, 1, 2, 3, 4, 5]);
  assert.deepEqual(procs[4].argv, ['/bin/worker', '--id', '4', 'of', '6']);
  assert.ok(procs.every((p) => p.programName === 'fastcgi_test' && p.groupName === 'fastcgi_test'));
});

test('numprocs_start shifts process_num; per-process keys see it', () => {
  const { config, dir } = loadBody(
    '[program:m]\ncommand=sleep 100\nnumprocs=2\nnumprocs_start=7\nprocess_name=m-%(process_num)d\n' +
      'stdout_logfile=%(here)s/m-%(process_num)d.log\ndirectory=/tmp/%(process_num)d\nenvironment=N="%(process_num)d"\n',
  );
  const procs = config.groups[0].processes;
  assert.deepEqual(procs.map((p) => p.name), ['m-7', 'm-8']);
  assert.deepEqual(procs[1].stdout.target, { kind: 'path', path: join(dir, 'm-8.log') });
  assert.equal(procs[0].directory, '/tmp/7');
  assert.deepEqual(procs[1].environment, { N: '8' });
});

test('ENV_ expansion: daemon env, [supervisord] environment, the program\'s own environment', () => {
  const dir = writeConfs({
    'supervisord.conf':
      SUPERVISORD +
      'environment=GLOBAL="g",SHARED="from-supervisord"\n' +
      '[program:a]\nenvironment=OWN="o-%(ENV_GLOBAL)s",SHARED="from-program"\n' +
      'command=/bin/echo %(ENV_HOME)s %(ENV_GLOBAL)s %(ENV_OWN)s %(host_node_name)s %(group_name)s\n',
  });
  const c = load(dir);
  const p = c.groups[0].processes[0];
  assert.deepEqual(p.argv, ['/bin/echo', '/home/tester', 'g', 'o-g', 'testhost', 'a']);
  assert.deepEqual(c.supervisord.environment, { GLOBAL: 'g', SHARED: 'from-supervisord' });
  assert.deepEqual(p.environment, { GLOBAL: 'g', SHARED: 'from-program', OWN: 'o-g' }, 'merged over [supervisord]');
});

test('%% escapes and a multi-line environment', () => {
  const { config } = loadBody('[program:a]\ncommand=/bin/printf 100%%\nenvironment=\n    A="1",\n    B="2"\n');
  const p = config.groups[0].processes[0];
  assert.deepEqual(p.argv, ['/bin/printf', '100%']);
  assert.deepEqual(p.environment, { A: '1', B: '2' });
});

test('unknown sections and keys are warnings naming file:line', () => {
  const { config, dir } = loadBody('[program:a]\ncommand=/bin/a\nstartsec=1\n[frobnicate]\nx=1\n');
  const file = join(dir, 'supervisord.conf');
  assert.deepEqual(config.warnings, [
    `${file}:7: [program:a] startsec: unknown key (ignored)`,
    `${file}:8: [frobnicate]: unknown section (ignored)`,
  ]);
});

test('supervisor\'s parse warnings: deprecated syslog target, AUTO without rollover, redirected stderr file', () => {
  const { config } = loadBody(
    '[program:a]\ncommand=/bin/a\nstdout_logfile=syslog\nstderr_logfile_maxbytes=0\n' +
      '[program:b]\ncommand=/bin/b\nredirect_stderr=true\nstderr_logfile=/tmp/b.err\n',
  );
  const a = config.groups[0].processes[0];
  assert.deepEqual(a.stdout.target, { kind: 'none' });
  assert.equal(a.stdout.syslog, true);
  assert.deepEqual(config.warnings, [
    'For [program:a], stdout_logfile=syslog but this is deprecated and will be removed.  Use stdout_syslog=true to enable syslog instead.',
    'For [program:a], AUTO logging used for stderr_logfile without rollover, set maxbytes > 0 to avoid filling up filesystem unintentionally',
    'For [program:b], redirect_stderr=true but stderr_logfile has also been set to a filename, the filename has been ignored',
  ]);
});

test('[DEFAULT] keys apply to every section', () => {
  const { config } = loadBody('[DEFAULT]\nstartsecs=0\n[program:a]\ncommand=/bin/a\n[program:b]\ncommand=/bin/b\nstartsecs=5\n');
  assert.deepEqual(config.groups.map((g) => g.processes[0].startsecs), [0, 5]);
  assert.deepEqual(config.warnings, []);
});

test('numprocs=0 gives an empty group (as supervisor)', () => {
  const { config } = loadBody('[program:a]\ncommand=/bin/a\nnumprocs=0\n');
  assert.deepEqual(config.groups[0].processes, []);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { FIXTURES, load } from './fixtures/config/helpers.js';

// The expected values were taken from supervisor 4.2.5 itself (ServerOptions.realize on the
// same file, then its process_group_configs), so this checks drop-in behaviour on the
// sample config every supervisor user starts from.

test('supervisor\'s full sample config (every example line uncommented) loads as supervisor built it', () => {
  const c = load(FIXTURES, 'sample-full.conf');
  assert.deepEqual(c.groups.map((g) => [g.name, g.kind, g.priority]), [
    ['theeventlistenername', 'eventlistener', -1],
    ['thegroupname', 'group', 999],
  ]);
  const [listener, group] = c.groups;
  assert.deepEqual(listener.listener, { events: ['EVENT'], bufferSize: 10, resultHandler: 'supervisor.dispatchers:default_handler' });
  const l = listener.processes[0];
  assert.deepEqual(
    [l.name, l.uid, l.command, l.directory, l.umask, l.priority, l.stopsignal, l.stdout.maxbytes, l.stderr.target],
    ['theeventlistenername', 65534, '/bin/eventlistener', '/tmp', 0o22, -1, 'QUIT', 1048576, { kind: 'path', path: '/tmp/a.log' }],
  );
  assert.deepEqual(l.environment, { KEY: 'value', A: '1', B: '2' });

  const p = group.processes[0];
  assert.deepEqual(
    {
      name: p.name,
      groupName: p.groupName,
      uid: p.uid,
      argv: p.argv,
      directory: p.directory,
      umask: p.umask,
      stopsignal: p.stopsignal,
      redirectStderr: p.redirectStderr,
      stdout: p.stdout,
      stderrTarget: p.stderr.target,
      stderrCapture: p.stderr.captureMaxbytes,
      environment: p.environment,
      serverurl: p.serverurl,
    },
    {
      name: 'theprogramname',
      groupName: 'thegroupname',
      uid: 65534,
      argv: ['/bin/cat'],
      directory: '/tmp',
      umask: 0o22,
      stopsignal: 'QUIT',
      redirectStderr: true,
      stdout: { target: { kind: 'path', path: '/tmp/a.log' }, maxbytes: 1048576, backups: 10, captureMaxbytes: 1048576, eventsEnabled: false, syslog: false },
      stderrTarget: { kind: 'none' },
      stderrCapture: 1048576,
      environment: { KEY: 'value', A: '1', B: '2' },
      serverurl: 'AUTO',
    },
  );
  assert.deepEqual(c.unixHttpServer, {
    file: '/tmp/supervisor.sock',
    chmod: 0o700,
    chown: { user: 'nobody', group: 'nogroup', uid: 65534, gid: 65534 },
    username: 'user',
    password: '123',
  });
  assert.deepEqual(c.inetHttpServer, { port: '127.0.0.1:9001', host: '127.0.0.1', portNumber: 9001, username: 'user', password: '123' });
  assert.equal(c.supervisorctl?.serverurl, 'http://127.0.0.1:9001', 'the later serverurl= line wins');
  assert.deepEqual(c.supervisord.environment, { KEY: 'value' });
  assert.equal(c.supervisord.user, 'nobody');
  assert.equal(c.supervisord.logfile, '/tmp/supervisord.log');
  // Supervisor's own parse warnings, with our position prefix where we know it.
  assert.deepEqual(c.warnings, [
    `${join(FIXTURES, 'sample-full.conf')}:173: [include] files: No file matches via include "${join(FIXTURES, 'relative/directory/*.ini')}"`,
    'For [program:theprogramname], redirect_stderr=true but stderr_logfile has also been set to a filename, the filename has been ignored',
  ]);
});

/**
 * The control socket end to end: its mode and owner, refusing to start over a live daemon,
 * removing a stale socket, credentials (cleartext and {SHA}) for every method through a raw
 * client and through tsupervisorctl ([supervisorctl] and -u/-p), and the caller's uid
 * (SO_PEERCRED) in the main log for state-changing calls.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { METHOD_NAMES } from '@tsupervisor/protocol';
import * as h from './harness.js';

const SLEEPER = `
[program:a]
command=sleep 1000
startsecs=0
`;

async function withDaemon(conf: string, opts: h.DaemonOptions, body: (d: h.Daemon) => Promise<void>): Promise<void> {
  const d = await h.startDaemon(conf, opts);
  try {
    await body(d);
  } catch (e) {
    (e as Error).message += `\n${d.logs()}`;
    throw e;
  } finally {
    await d.stop();
  }
}

const mainLog = (d: h.Daemon) => readFileSync(join(d.dir, 'supervisord.log'), 'utf8');

test('the socket is 0700 by default; chmod= and chown= are applied', { timeout: 60_000 }, async () => {
  await withDaemon(SLEEPER, {}, async (d) => {
    const st = lstatSync(join(d.dir, 'supervisor.sock'));
    assert.ok(st.isSocket());
    assert.equal(st.mode & 0o777, 0o700);
    assert.equal(st.uid, process.getuid!());
  });
  const extra = `
[unix_http_server]
chmod=0660
chown=nobody:nogroup
`;
  await withDaemon(SLEEPER + extra, {}, async (d) => {
    const st = lstatSync(join(d.dir, 'supervisor.sock'));
    assert.equal(st.mode & 0o777, 0o660);
    assert.equal(st.uid, 65534);
    assert.equal(st.gid, 65534);
  });
});

test('a second daemon on a live socket exits 2 with a clear message; the first keeps serving', { timeout: 60_000 }, async () => {
  await withDaemon(SLEEPER, {}, async (d) => {
    const before = (await d.status('a'))[0]!;
    for (const nodaemon of ['true', 'false']) {
      const conf = join(d.dir, `second-${nodaemon}.conf`);
      writeFileSync(conf, readFileSync(d.conf, 'utf8').replace('nodaemon=true', `nodaemon=${nodaemon}`));
      const r = await h.runCmd(d.daemonCmd, ['-c', conf], { cwd: d.dir, timeoutMs: 15_000 });
      assert.equal(r.code, 2, `nodaemon=${nodaemon}: exit code; stderr: ${r.stderr}`);
      // supervisord's words exactly (they do not name the socket)
      assert.match(r.stderr, /^Error: Another program is already listening on a port that one of our HTTP servers is configured to use\.  Shut this program down first before starting supervisord\.\nFor help, use \S+ -h\n$/);
    }
    assert.ok(h.isAlive(d.pid));
    const after = (await d.status('a'))[0]!;
    assert.equal(after.state, 'RUNNING');
    assert.equal(after.pid, before.pid);
    assert.equal(readFileSync(join(d.dir, 'supervisord.pid'), 'utf8').trim(), String(d.pid), 'the pidfile is still ours');
  });
});

test('a stale socket file is removed; any other file at the path is an error', { timeout: 60_000 }, async () => {
  const tmp = h.makeTmpDir('tsv-stale-');
  try {
    const sock = join(tmp.path, 'supervisor.sock');
    // A socket nobody listens on: bound by a process that exits without unlinking it.
    const py = spawnSync('python3', ['-c', 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])', sock]);
    assert.equal(py.status, 0, String(py.stderr));
    assert.ok(lstatSync(sock).isSocket());
    await withDaemon(SLEEPER, { dir: tmp.path }, async (d) => {
      // supervisord writes this on stderr, not to its log
      assert.match(readFileSync(join(d.dir, 'daemon.err'), 'utf8'), /^Unlinking stale socket .*supervisor\.sock$/m);
      assert.equal((await d.status('a'))[0]!.state, 'RUNNING');
    });

    writeFileSync(sock, 'not a socket\n');
    const conf = join(tmp.path, 'supervisord.conf');
    const r = await h.runCmd(h.resolveCommands().daemonCmd, ['-c', conf], { cwd: tmp.path, timeoutMs: 15_000 });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /supervisor\.sock exists and is not a socket/);
    assert.equal(readFileSync(sock, 'utf8'), 'not a socket\n', 'the file is left alone');
  } finally {
    tmp.remove();
  }
});

const AUTH_CASES = [
  { kind: 'cleartext', password: 'se cr;et' },
  // sha1("123")
  { kind: '{SHA}', password: '{SHA}40bd001563085fc35165329ea1ff5c5ecbdbbeef', clear: '123' },
];

for (const c of AUTH_CASES) {
  test(`credentials (${c.kind}): every call without the right ones is refused; the ctl takes them from [supervisorctl] or -u/-p`, { timeout: 90_000 }, async () => {
    const clear = c.clear ?? c.password;
    const conf = `${SLEEPER}
[unix_http_server]
username=user
password=${c.password}

[supervisorctl]
username=user
password=${clear}
`;
    await withDaemon(conf, {}, async (d) => {
      const first = (await d.status('a'))[0]!;
      assert.equal(first.state, 'RUNNING');
      const conn = await h.RawConnection.open(join(d.dir, 'supervisor.sock'));
      try {
        const wrong = [undefined, { username: 'user', password: 'nope' }, { username: 'other', password: clear }, { username: 'user' }, 'user:pw', null];
        for (const method of [...METHOD_NAMES, 'no.such.method']) {
          for (const auth of wrong) {
            const params: Record<string, unknown> = { name: 'a', wait: true, signal: 'KILL', offset: 0, length: 10 };
            if (auth !== undefined) params['_auth'] = auth;
            const m = await conn.call(method, params);
            assert.equal(m.error?.code, 401, `${method} with _auth=${JSON.stringify(auth)}: ${JSON.stringify(m)}`);
          }
        }
        const ok = await conn.call('supervisor.getPID', { _auth: { username: 'user', password: clear } });
        assert.equal(ok.result, d.pid);
      } finally {
        conn.destroy();
      }
      const after = (await d.status('a'))[0]!;
      assert.equal(after.state, 'RUNNING', 'no refused call reached the process');
      assert.equal(after.pid, first.pid);

      // The ctl: [supervisorctl] credentials (the harness used them already), -u/-p override them.
      const bare = join(d.dir, 'bare.conf');
      writeFileSync(bare, readFileSync(d.conf, 'utf8').replace(/\[supervisorctl\]\nusername=user\npassword=.*\n/, ''));
      const none = await h.runCmd(d.ctlCmd, ['-c', bare, 'status'], { timeoutMs: 15_000 });
      assert.equal(none.code, 1, none.stdout + none.stderr);
      assert.match(none.stdout, /^Server requires authentication$/m);
      const bad = await d.ctl(['-u', 'user', '-p', 'wrong', 'status']);
      assert.equal(bad.code, 1);
      assert.match(bad.stdout, /^Server requires authentication$/m);
      const good = await h.runCmd(d.ctlCmd, ['-c', bare, '-u', 'user', '-p', clear, 'status', 'a'], { timeoutMs: 15_000 });
      assert.equal(good.code, 0, good.stdout + good.stderr);
      assert.match(good.stdout, /^a\s+RUNNING/m);
      const stop = await h.runCmd(d.ctlCmd, ['-c', bare, 'stop', 'a'], { timeoutMs: 15_000 });
      assert.equal(stop.code, 1);
      assert.equal((await d.status('a'))[0]!.state, 'RUNNING', 'stop without credentials did nothing');
    });
  });
}

test('state-changing calls are logged with the caller uid (SO_PEERCRED); reads are not', { timeout: 60_000 }, async () => {
  const conf = `${SLEEPER}
[unix_http_server]
chmod=0777
`;
  // Logged at debug level: supervisor's info-level log has no such lines.
  await withDaemon(conf, { dirMode: 0o755, supervisordExtra: 'loglevel=debug' }, async (d) => {
    const asNobody = (args: string[]) =>
      h.runCmd('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', d.ctlCmd, '-c', d.conf, ...args], { cwd: '/', timeoutMs: 15_000 });
    const st = await asNobody(['status', 'a']);
    assert.equal(st.code, 0, st.stdout + st.stderr);
    const stop = await asNobody(['stop', 'a']);
    assert.equal(stop.stdout, 'a: stopped\n', stop.stderr);
    const start = await d.ctl(['start', 'a']);
    assert.equal(start.stdout, 'a: started\n');
    const log = mainLog(d);
    assert.match(log, /supervisor\.stopProcess a called by uid 65534 \(pid \d+\)/);
    assert.match(log, /supervisor\.startProcess a called by uid 0 \(pid \d+\)/);
    assert.doesNotMatch(log, /getAllProcessInfo|getProcessInfo .*called by/, 'reads are not logged');
  });
});

test('the audit trail: one line per state-changing call with uid, user and pid, refused ones too; the main log is unchanged', { timeout: 90_000 }, async () => {
  const conf = `${SLEEPER}
[unix_http_server]
chmod=0777
username=user
password=pw

[supervisorctl]
username=user
password=pw
`;
  const auditLine = (method: string, target: string, uid: number, user: string, outcome: string) =>
    new RegExp(`^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d,\\d{3} ${method.replace('.', '\\.')} ${target} uid=${uid}\\(${user}\\) pid=(\\d+) ${outcome}$`, 'm');
  await withDaemon(conf, { dirMode: 0o755 }, async (d) => {
    const audit = join(d.dir, 'tsupervisord-audit.log');
    const asNobody = (args: string[]) =>
      h.runCmd('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', d.ctlCmd, '-c', d.conf, ...args], { cwd: '/', timeoutMs: 15_000 });
    const stop = await asNobody(['stop', 'a']);
    assert.equal(stop.stdout, 'a: stopped\n', stop.stderr);
    const start = await d.ctl(['start', 'a']);
    assert.equal(start.stdout, 'a: started\n');
    // A raw client: its pid is ours.
    const conn = await h.RawConnection.open(join(d.dir, 'supervisor.sock'));
    try {
      const refused = await conn.call('supervisor.stopProcess', { name: 'a', _auth: { username: 'user', password: 'wrong' } });
      assert.equal(refused.error?.code, 401);
      assert.equal((await d.status('a'))[0]!.state, 'RUNNING', 'the refused stop did nothing');
      const m = await conn.call('supervisor.signalProcess', { name: 'a', signal: 'CONT', _auth: { username: 'user', password: 'pw' } });
      assert.equal(m.result, true, JSON.stringify(m));
    } finally {
      conn.destroy();
    }
    await h.waitFor('four audit lines', () => existsSync(audit) && readFileSync(audit, 'utf8').split('\n').length >= 5, 5000, 50);
    const text = readFileSync(audit, 'utf8');
    assert.match(text, auditLine('supervisor.stopProcess', 'name=a', 65534, 'nobody', 'ok'));
    assert.match(text, auditLine('supervisor.startProcess', 'name=a', 0, 'root', 'ok'));
    const bad = auditLine('supervisor.stopProcess', 'name=a', 0, 'root', 'refused UNAUTHORIZED').exec(text);
    assert.ok(bad, text);
    assert.equal(Number(bad[1]), process.pid);
    const raw = auditLine('supervisor.signalProcess', 'name=a signal=CONT', 0, 'root', 'ok').exec(text);
    assert.ok(raw, text);
    assert.equal(Number(raw[1]), process.pid, 'the pid is the caller’s');
    assert.equal(text.split('\n').length, 5, `reads are not audited:\n${text}`);
    assert.equal(lstatSync(audit).mode & 0o777, 0o600);
    const log = mainLog(d);
    assert.doesNotMatch(log, /stopProcess|startProcess|called by|uid/, 'the main log at info has no trace of it, as supervisord’s');
  });
  // NONE: no file.
  await withDaemon(`${SLEEPER}\n[supervisord]\naudit_logfile=NONE\n`, {}, async (d) => {
    assert.equal((await d.ctl(['stop', 'a'])).stdout, 'a: stopped\n');
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(!existsSync(join(d.dir, 'tsupervisord-audit.log')));
  });
  // A path of its own.
  await withDaemon(`${SLEEPER}\n[supervisord]\naudit_logfile=%(here)s/who.log\n`, {}, async (d) => {
    assert.equal((await d.ctl(['stop', 'a'])).stdout, 'a: stopped\n');
    const who = join(d.dir, 'who.log');
    await h.waitFor('the audit line', () => existsSync(who) && /supervisor\.stopProcess name=a uid=0\(root\) pid=\d+ ok\n$/.test(readFileSync(who, 'utf8')), 5000, 50);
    assert.ok(!existsSync(join(d.dir, 'tsupervisord-audit.log')));
  });
});

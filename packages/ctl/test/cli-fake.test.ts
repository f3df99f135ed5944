/** The ctl binary against the fake daemon: outputs and exit codes that depend on daemon state. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import net from 'node:net';
import path from 'node:path';
import { after, afterEach, describe, test } from 'node:test';
import { Faults, RPCFault } from '@tsupervisor/protocol';
import { FakeDaemon, type FakeOptions, NOW } from './fake-daemon.js';
import { runCtl } from './run-ctl.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'ctl-fake-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
let daemon: FakeDaemon | null = null;
afterEach(async () => {
  await daemon?.close();
  daemon = null;
});

function processes(): FakeOptions['processes'] {
  return [
    { group: 'g', name: 'a', statename: 'RUNNING', pid: 11, start: NOW - 5 },
    { group: 'g', name: 'b', statename: 'RUNNING', pid: 12, start: NOW - 5 },
    { group: 'c', name: 'c', statename: 'STOPPED' },
    { group: 'bad', name: 'bad', statename: 'FATAL', spawnerr: 'Exited too quickly (process log may have details)', startFault: Faults.SPAWN_ERROR },
  ];
}

async function fake(options: Partial<FakeOptions> = {}) {
  const sock = path.join(dir, `s${n++}.sock`);
  daemon = await FakeDaemon.start(sock, { processes: processes(), ...options });
  const ctl = (args: string[], opts: Parameters<typeof runCtl>[1] = {}) => runCtl(['-s', `unix://${sock}`, ...args], opts);
  return { sock, ctl, daemon };
}

const W = (name: string) => name.padEnd(33);

describe('status', () => {
  test('exit 0 when all running, 3 with a stopped one, 4 for unknown names; errors first', async () => {
    const { ctl } = await fake();
    assert.deepEqual(await ctl(['status', 'g:*']), {
      stdout: `${W('g:a')}RUNNING   pid 11, uptime 0:00:05\n${W('g:b')}RUNNING   pid 12, uptime 0:00:05\n`, stderr: '', code: 0,
    });
    const all = await ctl(['status']);
    assert.equal(all.code, 3);
    assert.match(all.stdout, /^bad {30}FATAL {5}Exited too quickly \(process log may have details\)$/m);
    assert.deepEqual(await ctl(['status', 'nosuch', 'g:a']), {
      stdout: `nosuch: ERROR (no such process)\n${W('g:a')}RUNNING   pid 11, uptime 0:00:05\n`, stderr: '', code: 4,
    });
    assert.deepEqual(await ctl(['status', 'x:*']), { stdout: 'x: ERROR (no such group)\n', stderr: '', code: 4 });
    // supervisorctl sets 4 for the unknown name, then 3 for the stopped one: the last wins.
    assert.equal((await ctl(['status', 'nosuch', 'c'])).code, 3);
  });
  test('one round trip after the connection\'s probe: the upcheck takes the probe\'s getAPIVersion answer', async () => {
    const { ctl, daemon } = await fake();
    assert.equal((await ctl(['status', 'g:a'])).code, 0);
    assert.deepEqual(daemon.calls.map((c) => c.method), ['supervisor.getAPIVersion', 'supervisor.getAllProcessInfo']);
  });
  test('--json: getProcessInfo fields, errors on stderr, same exit codes', async () => {
    const { ctl } = await fake();
    for (const args of [['status', '--json', 'g:a', 'nope'], ['--json', 'status', 'g:a', 'nope']]) {
      const ran = await ctl(args);
      assert.equal(ran.code, 4);
      assert.equal(ran.stderr, 'nope: ERROR (no such process)\n');
      const doc = JSON.parse(ran.stdout);
      assert.deepEqual(Object.keys(doc[0]).sort(), [
        'description', 'exitstatus', 'group', 'name', 'now', 'pid', 'spawnerr', 'start', 'state', 'statename', 'stderr_logfile', 'stdout_logfile', 'stop',
      ]);
      assert.equal(doc[0].statename, 'RUNNING');
      assert.equal(doc[0].pid, 11);
    }
  });
  test('colours only the state word, only when asked or on a terminal', async () => {
    const { ctl } = await fake();
    const coloured = await ctl(['--color', 'status', 'g:a', 'c']);
    assert.equal(coloured.stdout, `${W('g:a')}\x1b[32mRUNNING\x1b[39m   pid 11, uptime 0:00:05\n${W('c')}\x1b[2mSTOPPED\x1b[22m   Not started\n`);
    assert.doesNotMatch((await ctl(['status'], { env: { NO_COLOR: '' } })).stdout, /\x1b/);
    assert.doesNotMatch((await ctl(['--no-color', 'status'])).stdout, /\x1b/);
  });
});

describe('start, stop, restart, signal', () => {
  test('results and exit codes', async () => {
    const { ctl } = await fake();
    assert.deepEqual(await ctl(['start', 'g:a', 'c']), { stdout: 'g:a: ERROR (already started)\nc: started\n', stderr: '', code: 0 });
    assert.deepEqual(await ctl(['start', 'bad']), { stdout: 'bad: ERROR (spawn error)\n', stderr: '', code: 7 });
    assert.deepEqual(await ctl(['start', 'nope:*']), { stdout: 'nope: ERROR (no such group)\n', stderr: '', code: 2 });
    assert.deepEqual(await ctl(['stop', 'g:*']), { stdout: 'g:a: stopped\ng:b: stopped\n', stderr: '', code: 0 });
    assert.deepEqual(await ctl(['stop', 'g:a']), { stdout: 'g:a: ERROR (not running)\n', stderr: '', code: 0 });
    assert.deepEqual(await ctl(['restart', 'g:']), { stdout: 'g:a: ERROR (not running)\ng:b: ERROR (not running)\ng:a: started\ng:b: started\n', stderr: '', code: 0 });
    assert.deepEqual(await ctl(['signal', 'HUP', 'g:a', 'c']), { stdout: 'g:a: signalled\nc: signalled\n', stderr: '', code: 0 });
    assert.deepEqual(await ctl(['signal', 'BOGUS', 'g:*']), { stdout: 'g:a: ERROR (bad signal name)\ng:b: ERROR (bad signal name)\n', stderr: '', code: 1 });
    assert.deepEqual(await ctl(['stop', 'all']), { stdout: 'g:a: stopped\ng:b: stopped\nc: stopped\nbad: ERROR (not running)\n', stderr: '', code: 0 });
    assert.deepEqual(await ctl(['signal', 'HUP', 'c']), { stdout: 'c: ERROR (not running)\n', stderr: '', code: 7 });
  });
  test('--json: one document per command, restart holds both halves', async () => {
    const { ctl } = await fake();
    const ran = await ctl(['restart', '--json', 'g:a']);
    assert.equal(ran.code, 0);
    assert.deepEqual(JSON.parse(ran.stdout).map((o: { action: string; name: string; ok: boolean; text: string }) => [o.action, o.name, o.ok, o.text]), [
      ['stop', 'g:a', true, 'g:a: stopped'],
      ['start', 'g:a', true, 'g:a: started'],
    ]);
    const bad = await ctl(['--json', 'start', 'bad']);
    assert.equal(bad.code, 7);
    assert.equal(JSON.parse(bad.stdout)[0].statusname, 'SPAWN_ERROR');
  });
});

describe('pid, avail, reread, update, add, remove', () => {
  test('pid', async () => {
    const { ctl } = await fake();
    assert.deepEqual(await ctl(['pid']), { stdout: '4242\n', stderr: '', code: 0 });
    assert.deepEqual(await ctl(['pid', 'c']), { stdout: '0\n', stderr: '', code: 7 });
    assert.deepEqual(await ctl(['pid', 'all']), { stdout: '11\n12\n0\n0\n', stderr: '', code: 0 });
    assert.deepEqual(JSON.parse((await ctl(['pid', '--json'])).stdout), { pid: 4242 });
    assert.deepEqual(JSON.parse((await ctl(['pid', '--json', 'g:a'])).stdout), [{ name: 'g:a', group: 'g', process: 'a', pid: 11 }]);
  });
  test('avail', async () => {
    const { ctl } = await fake();
    const ran = await ctl(['avail']);
    assert.equal(ran.stdout.split('\n')[0], 'g:a                              in use    auto      999:999');
    assert.deepEqual(JSON.parse((await ctl(['avail', '--json'])).stdout).map((r: { name: string }) => r.name), ['a', 'b', 'bad', 'c']);
  });
  test('reread and update texts', async () => {
    const { ctl } = await fake({
      reload: { added: ['new'], changed: ['g'], removed: ['old'] },
      update: [
        { group: 'old', action: 'stopped' }, { group: 'old', action: 'removed' }, { group: 'g', action: 'stopped' },
        { group: 'g', action: 'updated' }, { group: 'new', action: 'added' },
      ],
    });
    assert.deepEqual(await ctl(['reread']), { stdout: 'g: changed\nnew: available\nold: disappeared\n', stderr: '', code: 0 });
    assert.deepEqual(JSON.parse((await ctl(['reread', '--json'])).stdout), { added: ['new'], changed: ['g'], removed: ['old'] });
    assert.deepEqual(await ctl(['update']), {
      stdout: 'old: stopped\nold: removed process group\ng: stopped\ng: updated process group\nnew: added process group\n', stderr: '', code: 0,
    });
    assert.deepEqual(await ctl(['update', 'all']), (await ctl(['update'])));
    const some = await ctl(['update', 'nope', 'g']);
    assert.equal(some.code, 1);
    assert.match(some.stdout, /^ERROR: no such group: nope\n/);
    assert.deepEqual(daemon!.calls.filter((c) => c.method === 'tsupervisor.update').map((c) => (c.params as { names?: string[] }).names), [
      undefined, undefined, undefined, ['nope', 'g'],
    ]);
    assert.equal(JSON.parse((await ctl(['update', '--json'])).stdout)[4].action, 'added');
  });
  test('update: has problems exits 1', async () => {
    const { ctl } = await fake({ update: [{ group: 'x', action: 'stopped' }, { group: 'x', action: 'problems' }] });
    assert.deepEqual(await ctl(['update']), { stdout: 'x: stopped\nx: has problems; not removing\n', stderr: '', code: 1 });
  });
  test('add and remove', async () => {
    const { ctl } = await fake();
    assert.deepEqual(await ctl(['add', 'g', 'nope']), { stdout: 'ERROR: process group already active\nERROR: no such process/group: nope\n', stderr: '', code: 1 });
    assert.deepEqual(await ctl(['remove', 'g']), { stdout: 'ERROR: process/group still running: g\n', stderr: '', code: 1 });
    assert.deepEqual(await ctl(['remove', 'c']), { stdout: 'c: removed process group\n', stderr: '', code: 0 });
  });
});

describe('faults the daemon answers', () => {
  test('CANT_REREAD and SHUTDOWN_STATE', async () => {
    const cant = new RPCFault(Faults.CANT_REREAD, "invalid literal for int() with base 10: 'abc' in section 'program:x' (file: 'sv.conf')");
    const { ctl } = await fake({
      faults: {
        'supervisor.reloadConfig': cant,
        'tsupervisor.update': cant,
        'supervisor.getAllConfigInfo': new RPCFault(Faults.SHUTDOWN_STATE),
        'supervisor.restart': new RPCFault(Faults.SHUTDOWN_STATE),
        'supervisor.shutdown': new RPCFault(Faults.SHUTDOWN_STATE),
        'supervisor.addProcessGroup': new RPCFault(Faults.SHUTDOWN_STATE),
      },
    });
    assert.deepEqual(await ctl(['reread']), {
      stdout: "ERROR: CANT_REREAD: invalid literal for int() with base 10: 'abc' in section 'program:x' (file: 'sv.conf')\n", stderr: '', code: 1,
    });
    assert.deepEqual(await ctl(['update']), {
      stdout: `error: <class 'xmlrpc.client.Fault'>, <Fault 92: "CANT_REREAD: invalid literal for int() with base 10: 'abc' in section 'program:x' (file: 'sv.conf')">: file: /usr/lib/python3.11/xmlrpc/client.py line: 668\n`,
      stderr: '', code: 1,
    });
    assert.deepEqual(await ctl(['avail']), { stdout: 'ERROR: supervisor shutting down\n', stderr: '', code: 1 });
    assert.deepEqual(await ctl(['reload']), { stdout: 'ERROR: already shutting down\n', stderr: '', code: 1 });
    assert.deepEqual(await ctl(['shutdown']), { stdout: 'ERROR: already shutting down\n', stderr: '', code: 0 });
    assert.deepEqual(await ctl(['add', 'x']), { stdout: 'ERROR: shutting down\n', stderr: '', code: 1 });
  });
  test('API version mismatch (5) and a server without the supervisor namespace (3)', async () => {
    const { ctl } = await fake({ apiVersion: '2.0' });
    assert.deepEqual(await ctl(['pid']), {
      stdout: 'Sorry, this version of supervisorctl expects to talk to a server with API version 3.0, but the remote version is 2.0.\n', stderr: '', code: 5,
    });
    await daemon!.close();
    const other = await fake({ faults: { 'supervisor.getAPIVersion': new RPCFault(Faults.UNKNOWN_METHOD) } });
    const ran = await other.ctl(['status']);
    assert.equal(ran.code, 4);
    assert.match(ran.stdout, /^Sorry, supervisord responded but did not recognize the supervisor namespace/);
    assert.equal((await other.ctl(['pid'])).code, 3);
  });
  test('authentication', async () => {
    const { ctl, sock } = await fake({ auth: { username: 'u', password: 'p' } });
    const denied = "Server requires authentication\nerror: <class 'xmlrpc.client.ProtocolError'>, <ProtocolError for 127.0.0.1/RPC2: 401 Unauthorized>: file: /usr/lib/python3/dist-packages/supervisor/xmlrpc.py line: 539\n";
    assert.deepEqual(await ctl(['status']), { stdout: denied, stderr: '', code: 1 });
    assert.deepEqual(await ctl(['-u', 'u', '-p', 'x', 'pid']), { stdout: denied, stderr: '', code: 1 });
    assert.deepEqual(await ctl(['-u', 'u', '-p', 'p', 'pid']), { stdout: '4242\n', stderr: '', code: 0 });
    const conf = path.join(dir, 'auth.conf');
    writeFileSync(conf, `[supervisorctl]\nserverurl=unix://${sock}\nusername=u\npassword=p\n`);
    assert.deepEqual(await runCtl(['-c', conf, 'pid']), { stdout: '4242\n', stderr: '', code: 0 });
    const asked = await runCtl(['-c', conf, '-u', 'x'], { input: 'u\np\npid\n' });
    assert.match(asked.stdout, /^Server requires authentication\nUsername:Password:\ng:a {30}RUNNING/);
    assert.match(asked.stdout, /\nsupervisor> 4242\nsupervisor> \n$/);
  });
});

describe('server URLs and config files', () => {
  test('a daemon that accepts but does not answer in time is reported as such, not waited on forever', async () => {
    const sock = path.join(dir, 'silent.sock');
    const server = (await import('node:net')).createServer(() => {});
    await new Promise<void>((resolve) => server.listen(sock, resolve));
    try {
      const ran = await runCtl(['-s', `unix://${sock}`, 'avail'], { env: { TSUPERVISORCTL_ANSWER_TIMEOUT_MS: '300' } });
      assert.deepEqual(ran, {
        stdout: '',
        stderr: `Error: the daemon at unix://${sock} accepted the connection but did not answer in 0.3 s: it is too busy or stuck (its log may say why)\n`,
        code: 1,
      });
    } finally {
      server.close();
    }
  });
  test('an HTTP server on the socket that is not XML-RPC: told at once that it speaks HTTP, then the XML-RPC answer fails as supervisorctl says (exit 1)', async () => {
    const sock = path.join(dir, 'http.sock');
    const server = (await import('node:http')).createServer((_req, res) => res.end());
    await new Promise<void>((resolve) => server.listen(sock, resolve));
    try {
      const started = Date.now();
      const ran = await runCtl(['-s', `unix://${sock}`, 'avail']);
      assert.ok(Date.now() - started < 5000, 'answered without waiting for the 10 s timeout');
      assert.equal(ran.code, 1);
      assert.equal(ran.stderr, '');
      assert.match(ran.stdout, /^error: <class '[\w.]+'>, .*no element found/);
    } finally {
      server.close();
    }
  });
  test('http:// to a listener that hangs up fails at once (exit 1); with none, as supervisorctl', async () => {
    const server = net.createServer((s) => s.destroy());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const ran = await runCtl(['-s', `http://127.0.0.1:${port}`, 'status']);
      assert.equal(ran.code, 1);
      assert.equal(ran.stderr, '');
      assert.match(ran.stdout, /^error: <class '[\w.]+'>, /);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    // nothing listens there now: supervisorctl's answers (recorded from 4.2.5)
    const url = `http://127.0.0.1:${port}`;
    assert.deepEqual(await runCtl(['-s', url, 'status']), { stdout: `${url} refused connection\n`, stderr: '', code: 4 });
    assert.deepEqual(await runCtl(['-s', url, 'shutdown']), { stdout: `ERROR: ${url} refused connection (already shut down?)\n`, stderr: '', code: 1 });
    assert.deepEqual(await runCtl(['-s', url, 'avail']), {
      stdout: "error: <class 'ConnectionRefusedError'>, [Errno 111] Connection refused: file: /usr/lib/python3.11/socket.py line: 836\n",
      stderr: '',
      code: 1,
    });
  });
  test('serverurl=unix://%(here)s/… relative to the config file', async () => {
    const { sock } = await fake();
    const sub = path.join(dir, 'conf');
    writeFileSync(path.join(dir, 'here.conf'), `[supervisorctl]\nserverurl=unix://%(here)s/${path.basename(sock)}\n`);
    void sub;
    assert.deepEqual(await runCtl(['-c', path.join(dir, 'here.conf'), 'pid']), { stdout: '4242\n', stderr: '', code: 0 });
  });
  test('the config is found in the cwd when -c is not given', async () => {
    const { sock } = await fake();
    const cwd = mkdtempSync(path.join(dir, 'cwd-'));
    writeFileSync(path.join(cwd, 'supervisord.conf'), `[supervisorctl]\nserverurl=unix://${sock}\n`);
    assert.deepEqual(await runCtl(['pid'], { cwd }), { stdout: '4242\n', stderr: '', code: 0 });
  });
});

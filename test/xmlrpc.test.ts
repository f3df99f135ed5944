/**
 * supervisor's XML-RPC interface served by tsupervisord, driven by real Python clients:
 * Debian's supervisorctl over the unix control socket (same output as tsupervisorctl),
 * xmlrpc.client.ServerProxy over [inet_http_server] with Basic auth, a memmon-like event
 * listener calling back through supervisor.childutils.getRPCInterface, and raw HTTP for the
 * refusals (401, a malformed body → 400, after which the daemon keeps serving). The Python
 * tests are skipped, with a message, only where python3 or Debian's supervisor is absent.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import * as h from './harness.js';

const PYTHON = '/usr/bin/python3';
const SUPERVISORCTL = '/usr/bin/supervisorctl';
const FIXTURES = join(h.fixturesDir, 'xmlrpc');

function pythonMissing(): string | false {
  if (!existsSync(PYTHON)) return `${PYTHON} is not installed`;
  const r = spawnSync(PYTHON, ['-c', 'import supervisor.childutils, supervisor.xmlrpc'], { encoding: 'utf8', timeout: 10_000 });
  if (r.status !== 0) return `Python's supervisor package is not installed (Debian package supervisor, scripts/setup.sh installs it)`;
  if (!existsSync(SUPERVISORCTL)) return `${SUPERVISORCTL} is not installed (Debian package supervisor)`;
  return false;
}
const skipPython = pythonMissing();

const { withDaemon } = h;

const PROGRAMS = `
[program:sleeper]
command=sleep 1000
startsecs=0

[program:idle]
command=sleep 1000
autostart=false
startsecs=0

[program:echo]
command=sh -c 'echo hello; echo world; exec sleep 1000'
startsecs=0

[program:ticker]
command=sh -c 'i=0; while true; do echo line$i; i=$((i+1)); sleep 0.2; done'
startsecs=0

[program:cat]
command=cat
startsecs=0
`;

/** POST or GET over the unix socket or TCP; resolves status, headers and body. */
function request(
  target: { socketPath: string } | { port: number },
  o: { method?: string; path?: string; body?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        ...('socketPath' in target ? { socketPath: target.socketPath } : { host: '127.0.0.1', port: target.port }),
        method: o.method ?? 'POST',
        path: o.path ?? '/RPC2',
        headers: { 'Content-Type': 'text/xml', ...(o.headers ?? {}) },
        timeout: 10_000,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end(o.body ?? '');
  });
}

const call = (method: string, params = '') =>
  `<?xml version="1.0"?><methodCall><methodName>${method}</methodName><params>${params}</params></methodCall>`;

const normalize = (text: string) => text.replace(/uptime \d+:\d\d:\d\d/g, 'uptime X');

test("Debian's supervisorctl against tsupervisord prints what tsupervisorctl prints (status, start, stop, tail, tail -f)", { skip: skipPython, timeout: 120_000 }, async () => {
  await withDaemon(PROGRAMS, async (d) => {
    const py = (args: string[], timeoutMs = 20_000) => h.runCmd(SUPERVISORCTL, ['-c', d.conf, ...args], { cwd: d.dir, timeoutMs });
    await d.waitState('ticker', 'RUNNING');
    await h.waitFor('echo to write its output', async () => (await d.ctl(['tail', 'echo'])).stdout.includes('world'), 10_000);

    const same = async (args: string[]) => {
      const theirs = await py(args);
      const ours = await d.ctl(args);
      assert.equal(normalize(theirs.stdout), normalize(ours.stdout), `supervisorctl ${args.join(' ')} (stderr: ${theirs.stderr})`);
      assert.equal(theirs.code, ours.code, `exit code of ${args.join(' ')}`);
      return theirs;
    };
    const status = await same(['status']);
    assert.match(status.stdout, /^sleeper\s+RUNNING\s+pid \d+, uptime/m);
    assert.match(status.stdout, /^idle\s+STOPPED\s+Not started/m);
    await same(['status', 'sleeper', 'idle']);
    await same(['status', 'nope']);
    await same(['start', 'nope']);
    await same(['stop', 'idle']);
    await same(['tail', 'echo']);
    await same(['tail', 'echo', 'stderr']);
    await same(['tail', '-5', 'echo']);
    await same(['tail', 'nope']);
    await same(['avail']);

    // start/stop change state: each ctl does one of each, in turn
    const pyStart = await py(['start', 'idle']);
    const ourStop = await d.ctl(['stop', 'idle']);
    const ourStart = await d.ctl(['start', 'idle']);
    const pyStop = await py(['stop', 'idle']);
    assert.equal(pyStart.stdout, 'idle: started\n');
    assert.equal(pyStart.stdout, ourStart.stdout);
    assert.equal(pyStop.stdout, 'idle: stopped\n');
    assert.equal(pyStop.stdout, ourStop.stdout);
    assert.equal((await d.status('idle'))[0]!.state, 'STOPPED');
    await same(['start', 'sleeper']);

    // tail -f reads /logtail/ticker/stdout: the head, then lines written while it runs
    const before = Math.max(...[...(await d.ctl(['tail', 'ticker'])).stdout.matchAll(/line(\d+)/g)].map((m) => Number(m[1])));
    const follow = await py(['tail', '-f', 'ticker'], 2500);
    assert.match(follow.stdout, /==> Press Ctrl-C to exit <==/);
    const seen = [...follow.stdout.matchAll(/line(\d+)/g)].map((m) => Number(m[1]));
    assert.ok(Math.max(...seen) >= before + 3, `tail -f showed new lines (before: line${before}; saw up to line${Math.max(...seen)}):\n${follow.stdout}`);
    const bad = await py(['tail', '-f', 'nope'], 10_000);
    assert.match(bad.stdout + bad.stderr, /Cannot read, status code 404/);
  });
});

test('xmlrpc.client over [inet_http_server] with Basic auth: getAllProcessInfo, multicall, faults, log reads, stdin, reloadConfig/addProcessGroup', { skip: skipPython, timeout: 120_000 }, async () => {
  const port = await h.freePort();
  const conf = `${PROGRAMS}
[inet_http_server]
port=127.0.0.1:${port}
username=monitor
password={SHA}a94a8fe5ccb19ba61c4c0873d391e987982fbbd3
`;
  await withDaemon(conf, async (d) => {
    await d.waitState('cat', 'RUNNING');
    await h.waitFor('echo to write its output', async () => (await d.ctl(['tail', 'echo'])).stdout.includes('world'), 10_000);
    appendFileSync(d.conf, '\n[program:late]\ncommand=sleep 1000\nstartsecs=0\n');
    const run = (url: string) => {
      const r = spawnSync(PYTHON, [join(FIXTURES, 'client.py'), url], { encoding: 'utf8', timeout: 30_000 });
      assert.equal(r.status, 0, `client.py: ${r.stderr}`);
      return JSON.parse(r.stdout) as Record<string, { ok?: unknown; fault?: [number, string]; protocol?: number }> & { info_types: unknown[] };
    };
    const out = run(`http://monitor:test@127.0.0.1:${port}/RPC2`);
    assert.deepEqual(out['state']!.ok, { statecode: 1, statename: 'RUNNING' });
    const infos = out['infos']!.ok as Array<Record<string, unknown>>;
    assert.deepEqual(infos.map((i) => i['name']), ['cat', 'echo', 'idle', 'sleeper', 'ticker']);
    const sleeper = infos.find((i) => i['name'] === 'sleeper')!;
    assert.equal(sleeper['statename'], 'RUNNING');
    assert.equal(sleeper['pid'], (await d.status('sleeper'))[0]!.pid);
    // supervisor's types: timestamps and pid are XML-RPC ints, not doubles or strings
    const types = out.info_types[0] as Record<string, string>;
    for (const k of ['start', 'stop', 'now', 'pid', 'state', 'exitstatus']) assert.equal(types[k], 'int', k);
    for (const k of ['name', 'group', 'statename', 'description', 'spawnerr', 'stdout_logfile']) assert.equal(types[k], 'str', k);
    // multicall: supervisor's shape (bare values, fault structs in place)
    assert.deepEqual(out['multicall']!.ok, ['3.0', { faultCode: 10, faultString: 'BAD_NAME: nope' }, { statecode: 1, statename: 'RUNNING' }]);
    assert.deepEqual(out['bad_name']!.fault, [10, 'BAD_NAME: nope']);
    assert.deepEqual(out['unknown']!.fault, [1, 'UNKNOWN_METHOD']);
    assert.deepEqual(out['arity']!.fault, [2, 'INCORRECT_PARAMETERS']);
    assert.deepEqual(out['tail']!.ok, ['orld\n', 12, true]);
    assert.equal(out['read']!.ok, 'hello\nworld\n');
    assert.equal(out['stdin']!.ok, true);
    await h.waitFor('cat to echo the stdin sent over XML-RPC', async () => (await d.ctl(['tail', 'cat'])).stdout.includes('to cat\n'), 10_000);
    // getAllConfigInfo: sorted by name, None (no directory, serverurl=AUTO) as 'none'
    assert.deepEqual((out['config']!.ok as unknown[][])[0], ['cat', 'none', 'none', true]);
    assert.deepEqual((out['config']!.ok as unknown[][]).map((c) => c[0]), ['cat', 'echo', 'idle', 'sleeper', 'ticker']);
    const methods = out['methods']!.ok as string[];
    for (const m of ['supervisor.getAllProcessInfo', 'supervisor.tailProcessStdoutLog', 'system.multicall', 'supervisor.readMainLog']) assert.ok(methods.includes(m), m);
    assert.ok(!methods.some((m) => m.startsWith('tsupervisor.')));
    assert.deepEqual(out['signature']!.ok, ['array', 'string', 'int', 'int']);
    assert.deepEqual(out['reload']!.ok, [[['late'], [], []]]);
    assert.equal(out['add']!.ok, true);
    assert.ok(['STARTING', 'RUNNING'].includes(out['added']!.ok as string), String(out['added']!.ok));
    await d.waitState('late', 'RUNNING', 10_000);

    // wrong password, no credentials: 401 as supervisor (ProtocolError), nothing called
    const refused = run(`http://monitor:wrong@127.0.0.1:${port}/RPC2`);
    assert.equal(refused['state']!.protocol, 401);
    assert.equal(refused['bad_name']!.protocol, 401);
    const anonymous = await request({ port }, { body: call('supervisor.shutdown') });
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.headers['www-authenticate'], 'Basic realm="default"');
    assert.equal((await request({ port }, { method: 'GET', path: '/logtail/sleeper' })).status, 401);
    // the unix socket has no credentials in this configuration: served there as before
    assert.equal((await d.status('sleeper'))[0]!.state, 'RUNNING');
    // the audit trail names a TCP caller by its address (no SO_PEERCRED there)
    const audit = readFileSync(join(d.dir, 'tsupervisord-audit.log'), 'utf8');
    assert.match(audit, /supervisor\.addProcessGroup name=late from=127\.0\.0\.1:\d+ ok\n/);
    assert.match(audit, /supervisor\.sendProcessStdin name=cat from=127\.0\.0\.1:\d+ ok\n/);
  });
});

test('an event listener calls back with supervisor.childutils.getRPCInterface (memmon-like)', { skip: skipPython, timeout: 60_000 }, async () => {
  await withDaemon(
    `
[program:victim]
command=sleep 1000
autostart=false
startsecs=0

[eventlistener:watch]
command=${join(FIXTURES, 'callback-listener.py')} @TMP@/seen.jsonl victim
events=PROCESS_STATE_RUNNING
`,
    async (d) => {
      await d.waitState('watch', 'RUNNING');
      const started = await d.ctl(['start', 'victim']);
      assert.equal(started.stdout, 'victim: started\n');
      const file = join(d.dir, 'seen.jsonl');
      const seen = await h.waitFor<Record<string, unknown>>(
        'the listener to call back',
        () => (existsSync(file) && readFileSync(file, 'utf8').includes('\n') ? (JSON.parse(readFileSync(file, 'utf8').split('\n')[0]!) as Record<string, unknown>) : undefined),
        20_000,
      );
      assert.equal(seen['serverurl'], `unix://${d.dir}/supervisor.sock`);
      assert.equal(seen['statename'], 'RUNNING');
      assert.ok(typeof seen['pid'] === 'number' && seen['pid'] > 0);
      assert.equal(seen['stopped'], true);
      // its stopProcess call took effect
      await d.waitState('victim', 'STOPPED', 10_000);
    },
  );
});

test('HTTP on the control socket: XML-RPC beside JSON-RPC, a malformed body is 400 and the daemon keeps serving, an oversized one 413', { timeout: 60_000 }, async () => {
  await withDaemon(PROGRAMS, async (d) => {
    const socketPath = join(d.dir, 'supervisor.sock');
    await d.waitState('sleeper', 'RUNNING');
    const ok = await request({ socketPath }, { body: call('supervisor.getProcessInfo', '<param><value><string>sleeper</string></value></param>') });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers['content-type'], 'text/xml');
    assert.match(ok.body, /<name>statename<\/name>\n<value><string>RUNNING<\/string><\/value>/);
    assert.match(ok.body, /<name>pid<\/name>\n<value><int>\d+<\/int><\/value>/);
    const fault = await request({ socketPath }, { body: call('supervisor.stopProcess', '<param><value>nope</value></param>') });
    assert.equal(fault.status, 200);
    assert.match(fault.body, /<fault>[\s\S]*<int>10<\/int>[\s\S]*<string>BAD_NAME: nope<\/string>/);

    for (const body of ['<methodCall><methodName>supervisor.getState', 'not xml at all', '<!DOCTYPE x [<!ENTITY a "b">]><methodCall/>', '<methodCall><params/></methodCall>']) {
      const bad = await request({ socketPath }, { body });
      assert.equal(bad.status, 400, body);
    }
    assert.match(readFileSync(join(d.dir, 'supervisord.log'), 'utf8'), /ERRO XML-RPC request data .* is invalid/);
    const big = await request({ socketPath }, { body: call('supervisor.getState', `<param><value>${'x'.repeat(5 * 1024 * 1024)}</value></param>`) }).catch(
      (e: Error) => ({ status: -1, body: e.message, headers: {} }),
    );
    assert.ok(big.status === 413 || big.status === -1, `oversized body: ${big.status}`);
    assert.equal((await request({ socketPath }, { method: 'GET', path: '/nowhere' })).status, 404);

    // still serving both protocols
    const after = await request({ socketPath }, { body: call('supervisor.getState') });
    assert.match(after.body, /<string>RUNNING<\/string>/);
    assert.equal((await d.status('sleeper'))[0]!.state, 'RUNNING');
  });
});

test("credentials on the unix socket: Debian's supervisorctl with the right ones is served, with wrong ones refused as tsupervisorctl is", { skip: skipPython, timeout: 60_000 }, async () => {
  const creds = `
[unix_http_server]
username=admin
password={SHA}e5e9fa1ba31ecd1ae84f75caaa474f3a663f05f4

[supervisorctl]
username=admin
password=secret
`;
  await withDaemon(`[program:sleeper]\ncommand=sleep 1000\nstartsecs=0\n${creds}`, async (d) => {
    await d.waitState('sleeper', 'RUNNING');
    const good = await h.runCmd(SUPERVISORCTL, ['-c', d.conf, 'status'], { cwd: d.dir, timeoutMs: 20_000 });
    assert.match(good.stdout, /^sleeper\s+RUNNING/m);
    assert.equal(good.code, 0);
    for (const args of [['-p', 'wrong', 'status'], ['-p', 'wrong', 'stop', 'sleeper']]) {
      const theirs = await h.runCmd(SUPERVISORCTL, ['-c', d.conf, ...args], { cwd: d.dir, timeoutMs: 20_000 });
      const ours = await d.ctl(args);
      assert.match(theirs.stdout, /^Server requires authentication$/m);
      assert.equal(theirs.stdout, ours.stdout, args.join(' '));
      assert.equal(theirs.code, ours.code, args.join(' '));
    }
    const follow = await h.runCmd(SUPERVISORCTL, ['-c', d.conf, '-p', 'wrong', 'tail', '-f', 'sleeper'], { cwd: d.dir, timeoutMs: 10_000 });
    assert.match(follow.stdout + follow.stderr, /Server requires authentication|401/);
    assert.equal((await d.status('sleeper'))[0]!.state, 'RUNNING');
  });
});

/**
 * GET /metrics and the orchestrator probes (/healthz, /readyz) on the daemon's HTTP side: over
 * the control socket and [inet_http_server] (credentials required for /metrics, not for the
 * probes), `promtool check metrics` clean, the counters and /proc readings right, and the accept
 * queue of fcgi sockets (TCP and unix) whose workers are stopped growing with each connection.
 * A real Prometheus server scraping the daemon is test/metrics-prometheus.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { join } from 'node:path';
import * as h from './harness.js';
import { get, havePromtool, promtoolCheck, value } from './metrics-helpers.js';

const AUTH = 'admin:secret';

test('/metrics over the control socket and inet_http_server: credentials, promtool, counters, process trees', { timeout: 120_000 }, async (t) => {
  const port = await h.freePort();
  const conf = `
[inet_http_server]
port=127.0.0.1:${port}
username=admin
password=secret

[program:talker]
command=sh -c 'echo hello from metrics; exec sleep 1000'
startsecs=0

[program:tree]
command=sh -c 'sleep 1001 & sleep 1002 & wait'
startsecs=0

[program:off]
command=sleep 1000
autostart=false
`;
  await h.withDaemon(conf, async (d) => {
    const sock = { socketPath: join(d.dir, 'supervisor.sock') };
    const tcp = { port };
    await d.waitState('talker', 'RUNNING');
    const tree = await d.waitState('tree', 'RUNNING');

    // credentials: none on the control socket's section; inet_http_server has them
    assert.equal((await get(tcp, '/metrics')).status, 401);
    assert.equal((await get(tcp, '/metrics', { auth: 'admin:wrong' })).status, 401);
    const viaSocket = await get(sock, '/metrics');
    assert.equal(viaSocket.status, 200, viaSocket.body);
    assert.match(viaSocket.type, /^text\/plain; version=0\.0\.4/);

    await d.ctl(['start', 'nosuch']); // a BAD_NAME fault for the calls counter
    await h.waitFor('the log bytes counted', async () => (value((await get(tcp, '/metrics', { auth: AUTH })).body, 'tsupervisor_process_log_written_bytes_total', { name: 'talker', channel: 'stdout' }) ?? 0) > 0, 10_000);
    const m = (await get(tcp, '/metrics', { auth: AUTH })).body;
    assert.equal(value(m, 'tsupervisor_up'), 1);
    assert.equal(value(m, 'tsupervisor_build_info', { identifier: 'supervisor' }), 1);
    assert.equal(value(m, 'tsupervisor_process_state', { name: 'talker', state: 'RUNNING' }), 1);
    assert.equal(value(m, 'tsupervisor_process_state', { name: 'talker', state: 'STOPPED' }), 0);
    assert.equal(value(m, 'tsupervisor_process_state', { name: 'off', state: 'STOPPED' }), 1);
    assert.equal(value(m, 'tsupervisor_process_ready', { name: 'talker' }), 1);
    assert.equal(value(m, 'tsupervisor_process_ready', { name: 'off' }), 0);
    assert.equal(value(m, 'tsupervisor_process_spawns_total', { name: 'talker' }), 1);
    assert.equal(value(m, 'tsupervisor_process_spawns_total', { name: 'off' }), 0);
    assert.equal(value(m, 'tsupervisor_process_log_written_bytes_total', { name: 'talker', channel: 'stdout' }), 'hello from metrics\n'.length);
    assert.ok((value(m, 'tsupervisor_process_start_time_seconds', { name: 'talker' }) ?? 0) > Date.now() / 1000 - 300);
    assert.ok((value(m, 'tsupervisor_daemon_resident_memory_bytes') ?? 0) > 1e6);
    assert.ok((value(m, 'tsupervisor_daemon_cpu_seconds_total') ?? 0) > 0);
    assert.ok((value(m, 'tsupervisor_rpc_calls_total', { outcome: 'BAD_NAME' }) ?? 0) >= 1, m);
    assert.ok((value(m, 'tsupervisor_rpc_calls_total', { outcome: 'success' }) ?? 0) >= 1, m);
    // the tree's memory: the shell and both of its sleeps (the shell alone is well under 90 %),
    // once both sleeps run and their memory no longer grows (a sleep still loading its libraries
    // between the scrape and the reading of /proc made the two differ: a CI failure), read from
    // /proc just before and just after a scrape of its own
    const pids = await h.waitFor('the tree\'s two sleeps', () => {
      const p = [tree.pid!, ...h.childrenOf(tree.pid!)];
      return p.length === 3 ? p : undefined;
    }, 5_000);
    const treeRss = () => pids.reduce((sum, pid) => sum + h.rssKb(pid) * 1024, 0);
    await h.waitFor('the tree\'s memory settled', async () => {
      const first = treeRss();
      await h.sleep(100);
      return treeRss() === first;
    }, 5_000);
    const rssBefore = treeRss();
    const got = value((await get(tcp, '/metrics', { auth: AUTH })).body, 'tsupervisor_process_resident_memory_bytes', { name: 'tree' }) ?? 0;
    const rssAfter = treeRss();
    assert.ok(got >= Math.min(rssBefore, rssAfter) * 0.9 && got <= Math.max(rssBefore, rssAfter) * 1.1, `tree RSS ${got} vs /proc ${rssBefore} before, ${rssAfter} after`);
    assert.ok(value(m, 'tsupervisor_process_cpu_seconds_total', { name: 'tree' }) !== undefined);

    // a stop is an expected exit; a start a spawn
    await d.ctl(['stop', 'talker']);
    await d.ctl(['start', 'talker']);
    const after = (await get(sock, '/metrics')).body;
    assert.equal(value(after, 'tsupervisor_process_exits_total', { name: 'talker', expected: 'true' }), 1);
    assert.equal(value(after, 'tsupervisor_process_exits_total', { name: 'talker', expected: 'false' }), 0);
    assert.equal(value(after, 'tsupervisor_process_spawns_total', { name: 'talker' }), 2);

    // OpenMetrics when asked for
    const om = await get(sock, '/metrics', { accept: 'application/openmetrics-text; version=1.0.0' });
    assert.match(om.type, /^application\/openmetrics-text; version=1\.0\.0/);
    assert.match(om.body, /^# TYPE tsupervisor_process_spawns counter$/m);
    assert.match(om.body, /^# TYPE tsupervisor_build info$/m);
    assert.ok(om.body.endsWith('# EOF\n'));

    if (!havePromtool) return t.diagnostic('promtool not installed (apt-get install prometheus): check skipped');
    const check = await promtoolCheck(after);
    assert.deepEqual(check, { code: 0, output: '' });
  });
});

test('probes: /healthz, /readyz (text and ?json), /readyz/<group>, without credentials', { timeout: 90_000 }, async () => {
  const port = await h.freePort();
  const conf = `
[inet_http_server]
port=127.0.0.1:${port}
username=admin
password=secret

[program:slow]
command=sleep 1000
startsecs=8

[program:quick]
command=sleep 1000
startsecs=0

[program:manual]
command=sleep 1000
autostart=false
`;
  await h.withDaemon(conf, async (d) => {
    const tcp = { port };
    assert.deepEqual(await get(tcp, '/healthz'), { status: 200, type: 'text/plain; charset=utf-8', body: 'ok\n' });
    await d.waitState('quick', 'RUNNING');
    const text = await get(tcp, '/readyz');
    assert.equal(text.status, 503, text.body);
    assert.equal(text.body, 'not ready: slow\n');
    const json = await get(tcp, '/readyz?json');
    assert.equal(json.status, 503);
    assert.deepEqual(JSON.parse(json.body), { ready: false, notReady: ['slow'], daemon: null });
    assert.equal((await get(tcp, '/readyz/slow')).status, 503);
    assert.deepEqual(await get(tcp, '/readyz/quick'), { status: 200, type: 'text/plain; charset=utf-8', body: 'ok\n' });
    assert.equal((await get(tcp, '/readyz/nosuch')).status, 404);
    await d.waitState('slow', 'RUNNING', 30_000);
    // `manual` (autostart=false) is not waited for
    assert.deepEqual(await get(tcp, '/readyz'), { status: 200, type: 'text/plain; charset=utf-8', body: 'ok\n' });
    assert.deepEqual(JSON.parse((await get(tcp, '/readyz?json')).body), { ready: true, notReady: [], daemon: null });
  });
});

test('fcgi sockets: the accept queue of a pool whose workers are stopped grows with each connection (TCP and unix)', { timeout: 90_000 }, async () => {
  const fcgiPort = await h.freePort();
  const N = 5;
  const conf = `
[fcgi-program:tcppool]
socket=tcp://127.0.0.1:${fcgiPort}
socket_backlog=64
command=sleep 1000
autostart=false

[fcgi-program:unixpool]
socket=unix://@TMP@/pool.sock
socket_backlog=32
command=sleep 1000
autostart=false
`;
  await h.withDaemon(conf, async (d) => {
    const sock = { socketPath: join(d.dir, 'supervisor.sock') };
    const tcpAddress = `tcp://127.0.0.1:${fcgiPort}`;
    const unixAddress = `unix://${d.dir}/pool.sock`;
    const before = (await get(sock, '/metrics')).body;
    assert.equal(value(before, 'tsupervisor_fcgi_socket_queued_connections', { address: tcpAddress }), 0);
    assert.equal(value(before, 'tsupervisor_fcgi_socket_backlog', { group: 'tcppool', address: tcpAddress }), 64);
    assert.equal(value(before, 'tsupervisor_fcgi_socket_queued_connections', { address: unixAddress }), 0);
    assert.equal(value(before, 'tsupervisor_fcgi_socket_backlog', { group: 'unixpool', address: unixAddress }), 32);
    const clients: net.Socket[] = [];
    try {
      for (let i = 0; i < N; i++) {
        for (const opts of [{ host: '127.0.0.1', port: fcgiPort }, { path: join(d.dir, 'pool.sock') }]) {
          const c = net.connect(opts as net.NetConnectOpts);
          clients.push(c);
          await new Promise<void>((resolve, reject) => c.once('connect', resolve).once('error', reject));
        }
      }
      const m = (await get(sock, '/metrics')).body;
      for (const address of [tcpAddress, unixAddress]) {
        assert.ok((value(m, 'tsupervisor_fcgi_socket_queued_connections', { address }) ?? 0) >= N, `${address}\n${m}`);
        assert.ok((value(m, 'tsupervisor_fcgi_socket_queued_connections_peak', { address }) ?? 0) >= N, address);
      }
    } finally {
      for (const c of clients) c.destroy();
    }
  });
});

/**
 * `reload` (and SIGHUP) apply a changed [inet_http_server], as supervisord does (it closes its
 * HTTP servers and opens them again from the new configuration): after a new port and password
 * and `tsupervisorctl reload`, Python's xmlrpc.client reaches the new port with the new
 * password, the old port refuses connections and the old password gets 401. A port that cannot
 * be bound at reload is logged with supervisord's words, and the daemon keeps serving on its
 * unix socket. Skipped, saying so, without /usr/bin/python3.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import * as h from './harness.js';

const PYTHON = '/usr/bin/python3';

/** One getState through xmlrpc.client: `RUNNING`, or the exception's type (and HTTP code). */
const PROBE = `
import sys, xmlrpc.client
try:
    print(xmlrpc.client.ServerProxy(sys.argv[1]).supervisor.getState()['statename'])
except xmlrpc.client.ProtocolError as e:
    print('ProtocolError %d' % e.errcode)
except Exception as e:
    print(type(e).__name__)
`;

function probe(port: number, password: string): string {
  const r = spawnSync(PYTHON, ['-c', PROBE, `http://admin:${password}@127.0.0.1:${port}/RPC2`], { encoding: 'utf8', timeout: 10_000 });
  return r.stdout.trim() || r.stderr.trim();
}

function inetSection(port: number, password: string): string {
  return `[inet_http_server]\nport=127.0.0.1:${port}\nusername=admin\npassword=${password}\n`;
}

test('reload applies a changed [inet_http_server]: new port and password served, old port refused', { skip: !existsSync(PYTHON) && `${PYTHON} is not installed` }, async () => {
  const [p1, p2, p3] = [await h.freePort(), await h.freePort(), await h.freePort()];
  const d = await h.startDaemon(`${inetSection(p1, 'one')}\n[program:sleeper]\ncommand=sleep 1000\nstartsecs=0\n`);
  // a port another program holds, for the bind error
  const squatter = net.createServer();
  await new Promise<void>((resolve) => squatter.listen(p3, '127.0.0.1', resolve));
  try {
    assert.equal(probe(p1, 'one'), 'RUNNING');
    const original = readFileSync(d.conf, 'utf8');
    const rewrite = (port: number, password: string) => writeFileSync(d.conf, original.replace(inetSection(p1, 'one'), inetSection(port, password)));

    rewrite(p2, 'two');
    const r = await d.ctl(['reload']);
    assert.equal(r.stdout, 'Restarted supervisord\n');
    await h.waitFor('the new port to answer', () => probe(p2, 'two') === 'RUNNING', 15_000, 100);
    assert.equal(probe(p1, 'one'), 'ConnectionRefusedError', 'the old port is closed');
    assert.equal(probe(p2, 'one'), 'ProtocolError 401', 'the old password is refused');

    // SIGHUP does the same
    rewrite(p1, 'three');
    process.kill(d.pid, 'SIGHUP');
    await h.waitFor('the port of SIGHUP to answer', () => probe(p1, 'three') === 'RUNNING', 15_000, 100);
    assert.equal(probe(p2, 'two'), 'ConnectionRefusedError');

    // a port in use: supervisord's message in the log; the unix socket keeps serving
    // (supervisord prints it on stderr and exits)
    if (d.impl !== 'tsupervisor') return;
    rewrite(p3, 'four');
    assert.equal((await d.ctl(['reload'])).stdout, 'Restarted supervisord\n');
    const logPath = join(d.dir, 'supervisord.log');
    await h.waitFor('the bind error in the log', () => readFileSync(logPath, 'utf8').includes(`[inet_http_server] port=127.0.0.1:${p3}: Another program is already listening`), 15_000, 100);
    assert.match(
      readFileSync(logPath, 'utf8'),
      new RegExp(`CRIT \\[inet_http_server\\] port=127\\.0\\.0\\.1:${p3}: Another program is already listening on a port that one of our HTTP servers is configured to use\\.  Shut this program down first before starting supervisord\\.\\n`),
    );
    assert.equal(probe(p1, 'three'), 'ConnectionRefusedError');
    await d.waitState('sleeper', 'RUNNING', 15_000);
    assert.equal((await d.ctl(['status', 'sleeper'])).code, 0);
  } catch (e) {
    (e as Error).message += `\n${d.logs().slice(-4000)}`;
    throw e;
  } finally {
    squatter.close();
    await d.stop();
  }
});

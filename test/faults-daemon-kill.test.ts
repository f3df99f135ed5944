/**
 * SIGKILL of the daemon: its workers die with it (PR_SET_PDEATHSIG through the exec shim), and
 * a new daemon on the same configuration binds the same fcgi sockets again (TCP and a stale
 * Unix socket file) and brings the workers back, serving connections.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import * as h from './harness.js';

/** A worker that accepts on the socket it was given as fd 0 and answers with its pid. */
const WORKER = `import os, socket
s = socket.socket(fileno=0)
while True:
    c, _ = s.accept()
    c.sendall(b'pid %d\\n' % os.getpid())
    c.close()
`;

function ask(target: { port: number } | { path: string }): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = 'path' in target ? net.createConnection(target.path) : net.createConnection(target.port, '127.0.0.1');
    let data = '';
    sock.setEncoding('utf8');
    sock.setTimeout(5000, () => sock.destroy(new Error('timed out')));
    sock.on('data', (d) => (data += d));
    sock.on('end', () => resolve(data));
    sock.on('error', reject);
  });
}

const conf = (socket: string) => `
[fcgi-program:w]
command=/usr/bin/python3 @TMP@/worker.py
socket=${socket}
process_name=%(program_name)s_%(process_num)d
numprocs=3
startsecs=0

[program:plain]
command=sleep 1000
startsecs=0
`;

for (const kind of ['tcp', 'unix'] as const) {
  test(`${kind}: SIGKILL of the daemon takes its workers down; a new daemon rebinds the socket and serves again`, { timeout: 90_000 }, async () => {
    const tmp = h.makeTmpDir('tsv-kill-');
    const target = kind === 'tcp' ? { port: await h.freePort() } : { path: join(tmp.path, 'fcgi.sock') };
    const socketUrl = 'port' in target ? `tcp://127.0.0.1:${target.port}` : `unix://${target.path}`;
    writeFileSync(join(tmp.path, 'worker.py'), WORKER);
    let first: h.Daemon | undefined;
    let second: h.Daemon | undefined;
    try {
      first = await h.startDaemon(conf(socketUrl), { dir: tmp.path });
      const names = ['w:w_0', 'w:w_1', 'w:w_2', 'plain'];
      const pids: number[] = [];
      for (const n of names) pids.push((await first.waitState(n, 'RUNNING')).pid!);
      assert.match(await ask(target), /^pid \d+\n$/);

      process.kill(first.pid, 'SIGKILL');
      await h.waitFor('every child of the killed daemon to die', () => pids.every((p) => !h.isAlive(p)), 5000);

      second = await h.startDaemon(conf(socketUrl), { dir: tmp.path });
      const fresh: number[] = [];
      for (const n of names) fresh.push((await second.waitState(n, 'RUNNING')).pid!);
      assert.ok(fresh.every((p) => !pids.includes(p)), 'new pids');
      const served = new Set<string>();
      for (let i = 0; i < 6; i++) served.add(await ask(target));
      for (const answer of served) {
        const pid = Number(/^pid (\d+)\n$/.exec(answer)?.[1]);
        assert.ok(fresh.includes(pid), `answered by ${answer.trim()}, one of the new workers ${fresh}`);
      }
      assert.doesNotMatch(second.logs(), /cannot listen|EADDRINUSE/);
    } catch (e) {
      (e as Error).message += `\n--- first daemon\n${first?.logs()}\n--- second daemon\n${second?.logs()}`;
      throw e;
    } finally {
      await second?.stop();
      await first?.stop();
      tmp.remove();
    }
  });
}

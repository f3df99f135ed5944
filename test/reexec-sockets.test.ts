/**
 * `reexec` keeps the control socket and [inet_http_server]'s listener (issue 14): their listening
 * fds go to the next image, so clients connecting in a loop all through the exec are queued in
 * the backlog and answered by the new image: none is refused (ECONNREFUSED) or finds no socket
 * (ENOENT) or cut without a word (a connection the old image had accepted is answered, or told
 * it is retired), and the socket file keeps its inode.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { statSync } from 'node:fs';
import * as h from './harness.js';

type Target = { path: string } | { host: string; port: number };
type Outcome = 'answered' | 'retired' | 'cut' | string;

/** One connection: asks supervisor.getPID and waits for the answer (or the close, or an error). */
function probe(target: Target): Promise<Outcome> {
  return new Promise((resolve) => {
    const s = net.createConnection(target);
    let buf = '';
    const timer = setTimeout(() => {
      s.destroy();
      resolve('timeout');
    }, 10_000);
    const done = (o: Outcome) => {
      clearTimeout(timer);
      s.destroy();
      resolve(o);
    };
    s.on('connect', () => s.write('{"jsonrpc":"2.0","id":1,"method":"supervisor.getPID","params":{}}\n'));
    s.setEncoding('utf8');
    s.on('data', (d: string) => {
      buf += d;
      if (!buf.includes('\n')) return;
      // the old image may retire a connection it had accepted: the client sends its call again
      if (buf.includes('"tsupervisor.closing"') && buf.includes('"reexec"')) done('retired');
      else done(/"result":\d+/.test(buf) ? 'answered' : `bad answer ${buf.slice(0, 100)}`);
    });
    s.on('error', (e: NodeJS.ErrnoException) => done(e.code ?? e.message));
    s.on('close', () => done('cut'));
  });
}

/** Probes in `loops` parallel loops until `stop()`; returns the outcomes counted. */
function probing(target: Target, loops: number): { stop(): Promise<Map<Outcome, number>> } {
  let running = true;
  const counts = new Map<Outcome, number>();
  const runs = Array.from({ length: loops }, async () => {
    while (running) {
      const o = await probe(target);
      counts.set(o, (counts.get(o) ?? 0) + 1);
    }
  });
  return {
    async stop() {
      running = false;
      await Promise.all(runs);
      return counts;
    },
  };
}

test('reexec: clients connecting all through the exec, on the control socket and inet_http_server, are queued and answered, never refused', async () => {
  const port = await h.freePort();
  const conf = `
[inet_http_server]
port=127.0.0.1:${port}

[program:a]
command=sleep 1000
startsecs=0
`;
  await h.withDaemon(conf, async (d) => {
    await d.waitState('a', 'RUNNING');
    const path = `${d.dir}/supervisor.sock`;
    const ino = statSync(path).ino;
    const unix = probing({ path }, 3);
    const tcp = probing({ host: '127.0.0.1', port }, 2);
    await new Promise((r) => setTimeout(r, 200));
    const r = await d.ctl(['reexec']);
    assert.equal(r.code, 0, `${r.stdout}${r.stderr}`);
    await h.waitFor('the new image', () => /re-executed with pid/.test(d.logs()), 10_000);
    await new Promise((r) => setTimeout(r, 300));
    const [u, t] = [await unix.stop(), await tcp.stop()];
    const show = (m: Map<Outcome, number>) => JSON.stringify(Object.fromEntries(m));
    for (const [name, m] of [['unix', u], ['inet', t]] as const) {
      assert.ok((m.get('answered') ?? 0) > 10, `${name}: ${show(m)}`);
      assert.deepEqual([...m.keys()].filter((k) => k !== 'answered' && k !== 'retired'), [], `${name}: ${show(m)}`);
    }
    assert.equal(statSync(path).ino, ino, 'the control socket keeps its inode');
    assert.equal((await d.ctl(['pid'])).stdout.trim(), String(d.pid));
  });
});

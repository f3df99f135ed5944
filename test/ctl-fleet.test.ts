/**
 * One tsupervisorctl call across a fleet: 20 tsupervisord on loopback (half on unix sockets,
 * half on [inet_http_server] with credentials), one Debian supervisord among them when
 * installed, and a dead node (SIGSTOPped: it accepts and never answers). status, --json,
 * stop/start fanned out; the dead node is reported, the exit status is non-zero, and the others
 * are answered within the timeout.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as h from './harness.js';

const TSCTL = join(h.repoRoot, 'node_modules', '.bin', 'tsupervisorctl');
const N = 20;

test('20 daemons and a supervisord in one ctl call: status, --json, stop/start, a dead node reported', async () => {
  const daemons: h.Daemon[] = [];
  const lines: string[] = [];
  try {
    // started four at a time (the machine is small); each is stopped at the end even on failure
    const started: Array<{ url: string; name: string | null }> = [];
    for (let batch = 0; batch < N; batch += 4) {
      const made = await Promise.allSettled(
        Array.from({ length: 4 }, async (_, k) => {
          const i = batch + k;
          const inet = i % 2 === 1;
          const port = inet ? await h.freePort() : 0;
          const conf = `${inet ? `[inet_http_server]\nport=127.0.0.1:${port}\nusername=fleet\npassword=pw${i}\n` : ''}
[program:web]
command=sleep 1000
startsecs=0
`;
          const d = await h.startDaemon(conf, { supervisordExtra: `identifier=node${String(i).padStart(2, '0')}`, readyTimeoutMs: 60_000 });
          daemons.push(d);
          started[i] = { url: inet ? `http://fleet:pw${i}@127.0.0.1:${port}` : `unix://${join(d.dir, 'supervisor.sock')}`, name: inet ? `n${i}` : null };
        }),
      );
      for (const m of made) if (m.status === 'rejected') throw m.reason;
    }
    for (const s of started) lines.push(s.name ? `${s.name} ${s.url}` : s.url);
    if (existsSync('/usr/bin/supervisord')) {
      const sd = await h.startDaemon('[program:web]\ncommand=sleep 1000\nstartsecs=0\n', { daemonCmd: 'supervisord', supervisordExtra: 'identifier=debian', readyTimeoutMs: 60_000 });
      daemons.push(sd);
      lines.push(`unix://${join(sd.dir, 'supervisor.sock')}`);
    }
    const dir = daemons[0]!.dir;
    const dead = daemons.find((d) => d.impl === 'tsupervisor' && started.some((s) => s.name === null && s.url.includes(d.dir)))!;
    const targets = join(dir, 'targets');
    writeFileSync(targets, `# the fleet\n${lines.join('\n')}\n`);
    const ctl = (args: string[], env: NodeJS.ProcessEnv = {}) =>
      h.runCmd(TSCTL, ['--targets', targets, ...args], { timeoutMs: 30_000, env: { ...process.env, NO_COLOR: '1', ...env } });

    const status = await ctl(['status']);
    assert.equal(status.code, 0, status.stdout + status.stderr);
    const rows = status.stdout.trim().split('\n');
    assert.equal(rows.length, lines.length, status.stdout);
    for (const row of rows) assert.match(row, /^\S+\s+\| web\s+RUNNING\s+pid \d+/);
    assert.ok(rows.some((r) => r.startsWith('node00 ')) && rows.some((r) => r.startsWith('n1 ')), status.stdout);

    const json = JSON.parse((await ctl(['status', '--json'])).stdout) as Array<{ node: string; name: string; statename: string }>;
    assert.equal(json.length, lines.length);
    assert.equal(new Set(json.map((p) => p.node)).size, lines.length);

    const stop = await ctl(['stop', 'web']);
    assert.equal(stop.code, 0, stop.stderr);
    assert.equal(stop.stdout.match(/\| web: stopped$/gm)?.length, lines.length, stop.stdout);
    const stopped = await ctl(['status']);
    assert.equal(stopped.code, 3);
    const start = await ctl(['start', 'web']);
    assert.equal(start.stdout.match(/\| web: started$/gm)?.length, lines.length, start.stdout);

    // a dead node: stopped by SIGSTOP, it accepts connections and answers nothing
    process.kill(dead.pid, 'SIGSTOP');
    try {
      const t0 = Date.now();
      // the connection's own limit for a first answer, made shorter than --timeout here, must
      // not cut the node's time short: the node is reported after 2 s, not 0.5 s
      const r = await ctl(['--timeout', '2', 'status'], { TSUPERVISORCTL_ANSWER_TIMEOUT_MS: '500' });
      const took = Date.now() - t0;
      assert.equal(r.code, 4, r.stderr);
      assert.match(r.stderr, /^node unix:\/\/.*: no answer in 2 s$/m);
      assert.equal(r.stdout.trim().split('\n').length, lines.length - 1, r.stdout);
      assert.ok(took < 10_000 && took >= 2000, `took ${took} ms`);
    } finally {
      process.kill(dead.pid, 'SIGCONT');
    }
  } finally {
    await Promise.all(daemons.map((d) => d.stop()));
  }
});

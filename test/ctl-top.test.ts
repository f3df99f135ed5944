/**
 * `tsupervisorctl top` through a real pseudo-terminal: tmux (on a private socket) runs it in a
 * 120x40 window against a test daemon and capture-pane reads the screen. Without a key press, a
 * stop made from outside shows as STOPPED and a crashing program's restart count climbs; keys
 * act on the selected process (filter to it, stop, confirm: STOPPED); `q` leaves with status 0
 * and the terminal's own screen back. Without a terminal, `top` prints one plain snapshot.
 * Over several servers (two daemons given by -s and a node that accepts and never answers): the
 * rows of both daemons under a NODE column while the silent node is still awaited (no DOWN line
 * on that screen), then shown DOWN; a stop on the second daemon appears without a key press; a stop key on the second
 * daemon's row stops that daemon's process and not the first's of the same name. Without a
 * terminal, the same in one plain table and the silent node reported.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import * as h from './harness.js';
import { rowIn, tmuxIn, TSCTL } from './top-helpers.js';



const CONF = `
[program:steady]
command=sleep 1000
startsecs=0

[program:other]
command=sh -c 'echo other says hello; exec sleep 1000'
startsecs=0

[program:crashy]
command=sh -c 'sleep 0.3; exit 3'
startsecs=0
autorestart=true
`;

test('top: live states, restart counts, keys on the selected process, q restores the terminal', { timeout: 120_000 }, async () => {
  await h.withDaemon(CONF, async (d) => {
    await d.waitState('steady', 'RUNNING');
    await d.waitState('other', 'RUNNING');
    const { open, screen, keys, close } = tmuxIn(d.dir);
    const row = (name: string) => screen().split('\n').find((l) => new RegExp(`^[> ] ${name}\\s`).test(l)) ?? '';
    try {
      open(`${d.ctlCmd} -c ${d.conf} top`);
      await h.waitFor('the table', () => /steady\s+RUNNING/.test(screen()), 15_000);
      assert.match(screen(), /NAME.*STATE.*PID.*UPTIME.*CPU%.*MEM.*RESTARTS.*READY/);

      // a change made elsewhere appears without a key press (pushed events, the stats tick)
      const restartsOf = () => Number(/(\d+)\s+(yes|no|-)\s*$/.exec(row('crashy'))?.[1] ?? -1);
      const first = await h.waitFor('a restart count', () => restartsOf() >= 1 && restartsOf(), 15_000);
      await h.waitFor('the restart count climbing', () => restartsOf() > first, 15_000);
      assert.equal((await d.ctl(['stop', 'steady'])).code, 0);
      await h.waitFor('steady STOPPED on screen', () => /STOPPED/.test(row('steady')), 5_000);

      // keys: filter to `other`, it is selected and its log follows below; stop it, confirm
      keys('/', 'oth', 'Enter');
      await h.waitFor('the filtered table', () => /^> other\s+RUNNING/m.test(screen()) && row('crashy') === '', 5_000);
      await h.waitFor('its log in the pane', () => /log: other[\s\S]*other says hello/.test(screen()), 5_000);
      keys('x');
      await h.waitFor('the question', () => /stop other\? \(y\/N\)/.test(screen()), 5_000);
      assert.equal((await d.status('other'))[0]!.state, 'RUNNING', 'nothing stops before the answer');
      keys('y');
      await h.waitFor('other STOPPED on screen', () => /^> other\s+STOPPED/m.test(screen()), 10_000);
      assert.equal((await d.status('other'))[0]!.state, 'STOPPED');
      assert.equal((await d.status('crashy'))[0]!.state !== 'STOPPED', true, 'only the selected process stopped');

      keys('q');
      await h.waitFor('top to exit', () => /top exited 0/.test(screen()), 5_000);
      assert.doesNotMatch(screen(), /NAME\s+STATE/, 'the alternate screen is left');
    } finally {
      close();
    }
  });
});

test('top without a terminal: one plain snapshot', { timeout: 60_000 }, async () => {
  await h.withDaemon(CONF, async (d) => {
    await d.waitState('steady', 'RUNNING');
    const r = await d.ctl(['top']);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stdout, /\x1b/, 'no escape codes in a pipe');
    const lines = r.stdout.trimEnd().split('\n');
    assert.match(lines[0]!, /^\s+NAME\s+STATE\s+PID\s+UPTIME\s+CPU%\s+MEM\s+RESTARTS\s+READY$/);
    assert.match(r.stdout, /\n  steady\s+RUNNING\s+\d+\s+00:00:\d\d\s+\d+\.\d\s+[\d.]+[KM]\s+0 yes\n/);
    assert.match(r.stdout, /\n  other\s+RUNNING\s/);
  });
});

/** A server on loopback that accepts connections and never answers (a hung node). */
async function silentServer(): Promise<{ url: string; close: () => void }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => (sockets.add(s), s.on('close', () => sockets.delete(s))));
  const port = await h.freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${port}`, close: () => (sockets.forEach((s) => s.destroy()), server.close()) };
}

/** Two daemons (identifiers alpha and beta) and a silent node, torn down after `body`. */
async function withFleet(body: (a: h.Daemon, b: h.Daemon, servers: string[]) => Promise<void>): Promise<void> {
  const silent = await silentServer();
  await h.withDaemon(
    CONF,
    (a) =>
      h.withDaemon(
        CONF,
        async (b) => {
          for (const d of [a, b]) for (const name of ['steady', 'other']) await d.waitState(name, 'RUNNING');
          const servers = [a, b].flatMap((d) => ['-s', `unix://${join(d.dir, 'supervisor.sock')}`]);
          try {
            await body(a, b, [...servers, '-s', silent.url]);
          } finally {
            silent.close();
          }
        },
        { supervisordExtra: 'identifier=beta' },
      ),
    { supervisordExtra: 'identifier=alpha' },
  );
}

test('top over several servers: a NODE column, live changes of the second, keys on the selected row\'s node, a silent node DOWN', { timeout: 120_000 }, async () => {
  await withFleet(async (a, b, servers) => {
    const { open, screen, keys, close } = tmuxIn(a.dir);
    const row = (node: string, name: string) => rowIn(screen(), node, name);
    try {
      open(`${TSCTL} --timeout 8 ${servers.join(' ')} top`);
      // the silent node holds nobody: both daemons' rows are there while it is still awaited
      const first = await h.waitFor('both nodes\' rows', () => {
        const text = screen();
        return /RUNNING/.test(rowIn(text, 'alpha', 'steady')) && /RUNNING/.test(rowIn(text, 'beta', 'steady')) && text;
      }, 15_000);
      assert.match(first, /NODE\s+NAME↑\s+STATE\s+PID/);
      assert.doesNotMatch(first, /DOWN/, 'the rows came before the silent node\'s 8 s were up');
      await h.waitFor('the silent node DOWN', () => /http:\/\/127\.0\.0\.1:\d+ DOWN \(no answer in 8 s\)/.test(screen()), 25_000);
      assert.match(row('alpha', 'steady'), /RUNNING/, 'the others stay');

      // a change on the second daemon appears without a key press
      assert.equal((await b.ctl(['stop', 'steady'])).code, 0);
      await h.waitFor('beta steady STOPPED on screen', () => /STOPPED/.test(row('beta', 'steady')), 5_000);
      assert.match(row('alpha', 'steady'), /RUNNING/);

      // keys act on the selected row's node: filter to `other` (alpha's first, beta's below), down, stop, yes
      keys('/', 'other', 'Enter');
      await h.waitFor('the filtered table', () => /^> alpha\s+other\s+RUNNING/m.test(screen()) && /RUNNING/.test(row('beta', 'other')), 5_000);
      keys('Down');
      await h.waitFor('beta other selected, its log below', () => /^> beta\s+other/m.test(screen()) && /log: beta: other[\s\S]*other says hello/.test(screen()), 5_000);
      keys('x');
      await h.waitFor('the question', () => /stop other on node beta\? \(y\/N\)/.test(screen()), 5_000);
      keys('y');
      await h.waitFor('beta other STOPPED on screen', () => /^> beta\s+other\s+STOPPED/m.test(screen()), 10_000);
      assert.equal((await b.status('other'))[0]!.state, 'STOPPED');
      assert.equal((await a.status('other'))[0]!.state, 'RUNNING', 'alpha\'s other is left alone');
      assert.match(row('alpha', 'other'), /RUNNING/);

      keys('q');
      await h.waitFor('top to exit', () => /top exited 0/.test(screen()), 5_000);
    } finally {
      close();
    }
  });
});

test('top over several servers without a terminal: one table with a NODE column, the silent node reported', { timeout: 60_000 }, async () => {
  await withFleet(async (_a, _b, servers) => {
    const r = await h.runCmd(TSCTL, ['--timeout', '2', ...servers, 'top'], { timeoutMs: 30_000, env: { ...process.env, NO_COLOR: '1' } });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /^node http:\/\/127\.0\.0\.1:\d+: no answer in 2 s$/m);
    assert.match(r.stdout.split('\n')[0]!, /^\s+NODE\s+NAME\s+STATE\s+PID/);
    for (const node of ['alpha', 'beta']) for (const name of ['steady', 'other']) assert.match(r.stdout, new RegExp(`\\n  ${node}\\s+${name}\\s+RUNNING\\s+\\d+`));
  });
});

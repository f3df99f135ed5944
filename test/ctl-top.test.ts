/**
 * `tsupervisorctl top` through a real pseudo-terminal: tmux (on a private socket) runs it in a
 * 120x40 window against a test daemon and capture-pane reads the screen. Without a key press, a
 * stop made from outside shows as STOPPED and a crashing program's restart count climbs; keys
 * act on the selected process (filter to it, stop, confirm: STOPPED); `q` leaves with status 0
 * and the terminal's own screen back. Without a terminal, `top` prints one plain snapshot.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import * as h from './harness.js';

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
    const sock = join(d.dir, 'tmux.sock');
    const tmux = (...args: string[]) => execFileSync('tmux', ['-S', sock, ...args], { encoding: 'utf8' });
    const screen = () => tmux('capture-pane', '-p', '-t', 'top');
    const row = (name: string) => screen().split('\n').find((l) => new RegExp(`^[> ] ${name}\\s`).test(l)) ?? '';
    try {
      // the pane stays after top exits, so its exit status can be read
      tmux('new-session', '-d', '-s', 'top', '-x', '120', '-y', '40', '-e', 'NO_COLOR=1', `${d.ctlCmd} -c ${d.conf} top; echo "top exited $?"; sleep 60`);
      await h.waitFor('the table', () => /steady\s+RUNNING/.test(screen()), 15_000);
      assert.match(screen(), /NAME.*STATE.*PID.*UPTIME.*CPU%.*MEM.*RESTARTS.*READY/);

      // a change made elsewhere appears without a key press (pushed events, the stats tick)
      const restartsOf = () => Number(/(\d+)\s+(yes|no|-)\s*$/.exec(row('crashy'))?.[1] ?? -1);
      const first = await h.waitFor('a restart count', () => restartsOf() >= 1 && restartsOf(), 15_000);
      await h.waitFor('the restart count climbing', () => restartsOf() > first, 15_000);
      assert.equal((await d.ctl(['stop', 'steady'])).code, 0);
      await h.waitFor('steady STOPPED on screen', () => /STOPPED/.test(row('steady')), 5_000);

      // keys: filter to `other`, it is selected and its log follows below; stop it, confirm
      tmux('send-keys', '-t', 'top', '/', 'oth', 'Enter');
      await h.waitFor('the filtered table', () => /^> other\s+RUNNING/m.test(screen()) && row('crashy') === '', 5_000);
      await h.waitFor('its log in the pane', () => /log: other[\s\S]*other says hello/.test(screen()), 5_000);
      tmux('send-keys', '-t', 'top', 'x');
      await h.waitFor('the question', () => /stop other\? \(y\/N\)/.test(screen()), 5_000);
      assert.equal((await d.status('other'))[0]!.state, 'RUNNING', 'nothing stops before the answer');
      tmux('send-keys', '-t', 'top', 'y');
      await h.waitFor('other STOPPED on screen', () => /^> other\s+STOPPED/m.test(screen()), 10_000);
      assert.equal((await d.status('other'))[0]!.state, 'STOPPED');
      assert.equal((await d.status('crashy'))[0]!.state !== 'STOPPED', true, 'only the selected process stopped');

      tmux('send-keys', '-t', 'top', 'q');
      await h.waitFor('top to exit', () => /top exited 0/.test(screen()), 5_000);
      assert.doesNotMatch(screen(), /NAME\s+STATE/, 'the alternate screen is left');
    } finally {
      try {
        tmux('kill-server');
      } catch {
        /* already gone */
      }
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

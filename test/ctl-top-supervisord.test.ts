/**
 * `tsupervisorctl top` with Debian's supervisord 4.2.5 as a node of a mixed fleet (beside a
 * tsupervisord): supervisord pushes nothing, so top reads its process list once a second. Through
 * tmux: both nodes' rows under NODE; a stop made on supervisord with its own supervisorctl shows
 * as STOPPED without a key press; a stop key on supervisord's row stops supervisord's process and
 * not tsupervisord's of the same name. Without a terminal, `top -f` prints a change line for a
 * state change on supervisord.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as h from './harness.js';
import { rowIn, tmuxIn, TSCTL } from './top-helpers.js';

const SKIP = !existsSync('/usr/bin/supervisord') && 'no supervisord';

const CONF = `
[program:steady]
command=sleep 1000
startsecs=0

[program:other]
command=sh -c 'echo other says hello; exec sleep 1000'
startsecs=0
`;


/** A tsupervisord (identifier ts) and a supervisord (identifier py), torn down after `body`. */
async function withMixedFleet(body: (ts: h.Daemon, py: h.Daemon, servers: string[]) => Promise<void>): Promise<void> {
  await h.withDaemon(
    CONF,
    (ts) =>
      h.withDaemon(
        CONF,
        async (py) => {
          for (const d of [ts, py]) for (const name of ['steady', 'other']) await d.waitState(name, 'RUNNING');
          await body(ts, py, [ts, py].flatMap((d) => ['-s', `unix://${join(d.dir, 'supervisor.sock')}`]));
        },
        { daemonCmd: 'supervisord', supervisordExtra: 'identifier=py' },
      ),
    { supervisordExtra: 'identifier=ts' },
  );
}

test('top over tsupervisord and supervisord: supervisord\'s rows, its changes without a key press, keys on its row', { skip: SKIP, timeout: 120_000 }, async () => {
  await withMixedFleet(async (ts, py, servers) => {
    const { open, screen, keys, close } = tmuxIn(ts.dir);
    const row = (node: string, name: string) => rowIn(screen(), node, name);
    try {
      open(`${TSCTL} ${servers.join(' ')} top`);
      await h.waitFor('both nodes\' rows', () => /RUNNING/.test(row('ts', 'steady')) && /RUNNING/.test(row('py', 'steady')), 15_000);
      assert.doesNotMatch(screen(), /DOWN/);

      // stopped by supervisord's own ctl: the row changes without a key press
      execFileSync('supervisorctl', ['-c', py.conf, 'stop', 'steady']);
      await h.waitFor('py steady STOPPED on screen', () => /STOPPED/.test(row('py', 'steady')), 5_000);
      assert.match(row('ts', 'steady'), /RUNNING/);

      // a stop key on supervisord's row: filter to `other`, py's first (nodes sorted), ts's below
      keys('/', 'other', 'Enter');
      await h.waitFor('the filtered table', () => /^> py\s+other\s+RUNNING/m.test(screen()) && /RUNNING/.test(row('ts', 'other')), 5_000);
      await h.waitFor('py other selected, its log below', () => /^> py\s+other/m.test(screen()) && /log: py: other[\s\S]*other says hello/.test(screen()), 10_000);
      keys('x');
      await h.waitFor('the question', () => /stop other on node py\? \(y\/N\)/.test(screen()), 5_000);
      keys('y');
      await h.waitFor('py other STOPPED on screen', () => /^> py\s+other\s+STOPPED/m.test(screen()), 10_000);
      assert.equal((await py.status('other'))[0]!.state, 'STOPPED');
      assert.equal((await ts.status('other'))[0]!.state, 'RUNNING', 'tsupervisord\'s other is left alone');

      keys('q');
      await h.waitFor('top to exit', () => /top exited 0/.test(screen()), 5_000);
    } finally {
      close();
    }
  });
});

test('top -f without a terminal over supervisord: the table, then a line for its state change', { skip: SKIP, timeout: 60_000 }, async () => {
  await withMixedFleet(async (_ts, py, servers) => {
    const child = spawn(TSCTL, [...servers, 'top', '-f'], { env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
    try {
      await h.waitFor('the table', () => /\n  py\s+steady\s+RUNNING/.test(out) && /\n  ts\s+steady\s+RUNNING/.test(out), 15_000);
      execFileSync('supervisorctl', ['-c', py.conf, 'stop', 'steady']);
      await h.waitFor('the change line', () => /py: steady RUNNING -> (STOPPING|STOPPED)/.test(out), 5_000);
    } finally {
      child.kill('SIGINT');
    }
  });
});

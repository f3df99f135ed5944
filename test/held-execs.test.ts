/**
 * The autostart at start holds its children before their exec until every spawn of the batch
 * is made and the startsecs=0 programs are RUNNING (process/exec-batch.ts): a child's own
 * start-up (dynamic loading) would otherwise take a core from the daemon while it spawns the
 * rest. Each program here writes the time it runs; none may run before the main log's last
 * `entered RUNNING` line, and every one runs, once, with the pid its spawn line gave.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as h from './harness.js';

const N = 30;
const skip = h.defaultImpl !== 'tsupervisor' && 'tsupervisor: supervisord execs each child at its fork';

/** A main log line's time (local time, to the millisecond, as the daemon writes it) in ms since the epoch. */
function logTime(line: string): number {
  const m = /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d),(\d{3}) /.exec(line);
  assert.ok(m, line);
  const [y, mo, d, hh, mm, ss, ms] = m.slice(1).map(Number) as [number, number, number, number, number, number, number];
  return new Date(y, mo - 1, d, hh, mm, ss, ms).getTime();
}

test(`${N} programs autostarted at once: none runs before the last of them is RUNNING, each runs once`, { skip }, async () => {
  let conf = '';
  for (let i = 0; i < N; i++) {
    conf += `
[program:p${String(i).padStart(2, '0')}]
command=sh -c 'date +%%s%%N > %(here)s/ran.%(program_name)s.$$; exec sleep 1000'
startsecs=0
`;
  }
  await h.withDaemon(conf, async (d) => {
    await h.waitFor('every program written its time', () => readdirSync(d.dir).filter((f) => f.startsWith('ran.')).length >= N, 15_000);
    const log = readFileSync(join(d.dir, 'supervisord.log'), 'utf8').split('\n');
    const running = log.filter((l) => / entered RUNNING state/.test(l));
    assert.equal(running.length, N, 'each RUNNING once');
    const lastRunning = Math.max(...running.map(logTime));
    const spawned = new Map(log.flatMap((l) => {
      const m = /spawned: '(p\d\d)' with pid (\d+)/.exec(l);
      return m ? [[m[1]!, Number(m[2])] as const] : [];
    }));
    const ran = readdirSync(d.dir).filter((f) => f.startsWith('ran.'));
    assert.equal(ran.length, N, `each ran once: ${ran.join(' ')}`);
    for (const file of ran) {
      const [, name, pid] = file.split('.');
      assert.equal(Number(pid), spawned.get(name!), `${name} ran as the pid its spawn line gave`);
      const at = Math.floor(Number(readFileSync(join(d.dir, file), 'utf8').trim()) / 1e6);
      assert.ok(at >= lastRunning, `${name} ran at ${at}, before the last RUNNING line (${lastRunning})`);
    }
    assert.equal((await d.status()).filter((r) => r.state === 'RUNNING').length, N);
  });
});

/**
 * `tail -f` and `events` across `reexec` (issue 14): the daemon says it re-executes before their
 * connection ends, and the ctl reconnects by itself and resumes: tail -f at the log position it
 * had reached (every number of a program counting as fast as it can, once, in order, across
 * three reexecs), events after the serial it had seen (the states of a program restarting all
 * the time form an unbroken chain, serials only grow).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as h from './harness.js';
import { follow } from './logs-helpers.js';
import { reexec } from './reexec-helpers.js';

test('reexec: a tail -f running across three reexecs sees every number once, in order', async () => {
  const conf = `
[program:count]
command=sh -c 'i=0; while [ $i -lt 3000000 ]; do i=$((i+1)); echo $i; done; sleep 1000'
startsecs=0
stdout_logfile=@TMP@/count.log
stdout_logfile_maxbytes=0
`;
  await h.withDaemon(conf, async (d) => {
    await d.waitState('count', 'RUNNING');
    const f = follow(d, ['tail', '-f', 'count']);
    await f.waitFor(/\n\d+\n/);
    for (let i = 0; i < 3; i++) await reexec(d);
    assert.ok(!/\n3000000\n$/.test(f.text()), 'the count was over before the third reexec: make it longer');
    await f.waitFor(/\n3000000\n$/, 60_000);
    const { stdout, stderr } = await f.stop();
    assert.equal(stderr, '', 'no error, no notice');
    // the head starts inside a line: from the first whole one
    const lines = stdout.split('\n').slice(2).filter(Boolean);
    const first = Number(lines[0]);
    assert.ok(first > 0 && lines.length > 1000, `${lines.length} lines from ${lines[0]}`);
    for (let i = 0; i < lines.length; i++) if (lines[i] !== String(first + i)) assert.fail(`line ${i} is ${JSON.stringify(lines[i])}, not ${first + i}`);
    assert.equal(lines.at(-1), '3000000');
  });
});

test('reexec: an events stream reconnects by itself; states of a restarting program form an unbroken chain, serials only grow', async () => {
  const conf = `
[program:flap]
command=sleep 1.05
startsecs=0
autorestart=true
startretries=1000
`;
  await h.withDaemon(conf, async (d) => {
    const f = follow(d, ['events', '--json', 'PROCESS_STATE']);
    await f.waitFor(/PROCESS_STATE_RUNNING/);
    const n0 = f.text().split('\n').length;
    for (let i = 0; i < 2; i++) await reexec(d);
    await h.waitFor('events after the reexecs', () => f.text().split('\n').length > n0 + 6, 15_000).catch((e: Error) => {
      throw new Error(`${e.message}: ${f.text().slice(-2000)}`);
    });
    const { stdout, stderr } = await f.stop();
    assert.equal(stderr, '', 'no error: it reconnected');
    const events = stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { serial: number; type: string; payload: Record<string, string> });
    for (let i = 1; i < events.length; i++) {
      const [a, b] = [events[i - 1]!, events[i]!];
      assert.ok(b.serial > a.serial, `serial ${b.serial} after ${a.serial}`);
      assert.equal(b.payload['from_state'], a.type.replace('PROCESS_STATE_', ''), `event ${i}: ${JSON.stringify(b)} after ${JSON.stringify(a)}`);
    }
  });
});

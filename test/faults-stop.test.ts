/**
 * Stopping what does not want to stop: stopwaitsecs escalates to SIGKILL; killasgroup and
 * stopasgroup reach grandchildren (and without them the grandchildren survive); a program that
 * ignores SIGTERM holds shutdown no longer than its stopwaitsecs; SIGTERM to the daemon stops
 * the groups in descending priority, one after the other (timestamps in the main log).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as h from './harness.js';

const IGNORES_TERM = `sh -c 'trap "" TERM; sleep 1000 & sleep 1000 & wait; wait'`;

const CONF = `
[program:stubborn]
command=${IGNORES_TERM}
startsecs=0
stopwaitsecs=1
killasgroup=true

[program:lonely]
command=${IGNORES_TERM}
startsecs=0
stopwaitsecs=1

[program:polite]
command=sh -c 'sleep 1000 & sleep 1000 & wait'
startsecs=0
stopasgroup=true
`;

const { withDaemon } = h;

async function family(d: h.Daemon, name: string): Promise<{ pid: number; descendants: number[] }> {
  const pid = (await d.waitState(name, 'RUNNING')).pid!;
  const descendants = await h.waitFor(`${name} to fork its sleeps`, () => {
    const ds = h.descendantsOf(pid);
    return ds.length >= 2 ? ds : undefined;
  }, 5000);
  return { pid, descendants };
}

test('stopwaitsecs escalates to SIGKILL; killasgroup and stopasgroup reach grandchildren, without them they survive', { timeout: 60_000 }, async () => {
  await withDaemon(CONF, async (d) => {
    const stubborn = await family(d, 'stubborn');
    const lonely = await family(d, 'lonely');
    const polite = await family(d, 'polite');

    let t0 = Date.now();
    const r = await d.ctl(['stop', 'stubborn']);
    let took = Date.now() - t0;
    assert.equal(r.stdout, 'stubborn: stopped\n');
    assert.ok(took >= 900 && took < 5000, `stop took ${took} ms (stopwaitsecs=1)`);
    const log = readFileSync(join(d.dir, 'supervisord.log'), 'utf8');
    assert.match(log, /killing 'stubborn' \(\d+\) with SIGKILL/);
    assert.match(log, /stopped: stubborn \(terminated by SIGKILL\)/);
    for (const p of [stubborn.pid, ...stubborn.descendants]) assert.ok(!h.isAlive(p), `stubborn's pid ${p} survived`);

    // killasgroup=false: SIGKILL reaches the shell only; its sleeps are orphaned and live on.
    await d.ctl(['stop', 'lonely']);
    assert.ok(!h.isAlive(lonely.pid));
    const survivors = lonely.descendants.filter((p) => h.isAlive(p));
    try {
      assert.equal(survivors.length, lonely.descendants.length, 'without killasgroup the grandchildren survive');
    } finally {
      for (const p of survivors) h.killPid(p);
    }

    t0 = Date.now();
    await d.ctl(['stop', 'polite']);
    took = Date.now() - t0;
    assert.ok(took < 3000, `stopasgroup: SIGTERM to the group ends it at once (${took} ms)`);
    for (const p of [polite.pid, ...polite.descendants]) assert.ok(!h.isAlive(p), `polite's pid ${p} survived`);
  });
});

test('a program that ignores SIGTERM holds shutdown no longer than its stopwaitsecs', { timeout: 60_000 }, async () => {
  const conf = `
[program:stubborn]
command=${IGNORES_TERM}
startsecs=0
stopwaitsecs=2
killasgroup=true

[program:other]
command=sleep 1000
startsecs=0
`;
  await withDaemon(conf, async (d) => {
    const stubborn = await family(d, 'stubborn');
    const t0 = Date.now();
    const r = await d.ctl(['shutdown']);
    assert.match(r.stdout, /^Shut down$/m);
    await h.waitFor('the daemon to exit', () => !h.isAlive(d.pid), 10_000);
    const took = Date.now() - t0;
    assert.ok(took >= 1900 && took < 6000, `shutdown took ${took} ms (stopwaitsecs=2)`);
    for (const p of [stubborn.pid, ...stubborn.descendants]) assert.ok(!h.isAlive(p), `pid ${p} survived shutdown`);
  });
});

/** Takes ~0.4 s to stop after SIGTERM, so stops done one after the other are visibly apart. */
const SLOW_STOP = `sh -c 'trap "sleep 0.4; exit 0" TERM; while :; do sleep 0.05; done'`;

test('SIGTERM stops the groups in descending priority, each after the previous one stopped', { timeout: 60_000 }, async () => {
  const prio = [300, 100, 200, 999, 1];
  const conf = prio.map((p) => `\n[program:p${p}]\ncommand=${SLOW_STOP}\nstartsecs=0\npriority=${p}\n`).join('');
  await withDaemon(conf, async (d) => {
    for (const p of prio) await d.waitState(`p${p}`, 'RUNNING');
    process.kill(d.pid, 'SIGTERM');
    await h.waitFor('the daemon to exit', () => !h.isAlive(d.pid), 15_000);
    const log = readFileSync(join(d.dir, 'supervisord.log'), 'utf8');
    const stopped = [...log.matchAll(/^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d),(\d{3}) \w+ stopped: (p\d+) /gm)].map((m) => ({
      at: Date.parse(m[1]!.replace(' ', 'T')) + Number(m[2]),
      name: m[3]!,
    }));
    assert.deepEqual(stopped.map((s) => s.name), ['p999', 'p300', 'p200', 'p100', 'p1'], log);
    for (let i = 1; i < stopped.length; i++) {
      const gap = stopped[i]!.at - stopped[i - 1]!.at;
      assert.ok(gap >= 300, `${stopped[i]!.name} stopped ${gap} ms after ${stopped[i - 1]!.name}: not one after the other`);
    }
    assert.match(log, /received SIGTERM indicating exit request/);
  });
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initialState, transition, type Effect, type ProcEvent, type ProcState, type Settings } from '../src/process/transition.js';

const cfg: Settings = {
  name: 'web',
  startsecs: 1,
  startretries: 3,
  autorestart: 'unexpected',
  exitcodes: [0],
  stopsignal: 'TERM',
  stopwaitsecs: 10,
  stopasgroup: false,
  killasgroup: false,
};

function run(events: Array<[ProcEvent, number]>, settings: Settings = cfg, start: ProcState = initialState, autoStartAllowed = true) {
  let state = start;
  const effects: Effect[] = [];
  for (const [event, now] of events) {
    const r = transition(state, event, settings, { now, autoStartAllowed });
    state = r.state;
    effects.push(...r.effects);
  }
  return { state, effects, states: effects.filter((e) => e.type === 'state').map((e) => (e as { to: string }).to) };
}

test('start → STARTING → RUNNING after startsecs', () => {
  const r = run([
    [{ type: 'start' }, 1000],
    [{ type: 'spawned', pid: 42 }, 1001],
    [{ type: 'timer', name: 'startsecs', generation: 1 }, 2001],
  ]);
  assert.deepEqual(r.states, ['STARTING', 'RUNNING']);
  assert.equal(r.state.pid, 42);
  assert.ok(r.effects.some((e) => e.type === 'timer' && e.name === 'startsecs' && e.ms === 1000));
});

test('startsecs=0 is RUNNING at once', () => {
  const r = run([[{ type: 'start' }, 0], [{ type: 'spawned', pid: 7 }, 0]], { ...cfg, startsecs: 0 });
  assert.deepEqual(r.states, ['STARTING', 'RUNNING']);
});

test('exit before startsecs → BACKOFF with 1, 2, 3 s delays, then FATAL', () => {
  const events: Array<[ProcEvent, number]> = [];
  let t = 0;
  for (let i = 1; i <= 4; i++) {
    events.push([i === 1 ? { type: 'start' } : { type: 'timer', name: 'backoff', generation: i - 1 }, t]);
    events.push([{ type: 'spawned', pid: 100 + i }, t]);
    events.push([{ type: 'exited', code: 1, signal: null }, t + 10]);
    t += 10 + i * 1000;
  }
  const r = run(events);
  assert.deepEqual(r.states, ['STARTING', 'BACKOFF', 'STARTING', 'BACKOFF', 'STARTING', 'BACKOFF', 'STARTING', 'BACKOFF', 'FATAL']);
  const delays = r.effects.filter((e) => e.type === 'timer' && e.name === 'backoff').map((e) => (e as { ms: number }).ms);
  assert.deepEqual(delays, [1000, 2000, 3000]);
  assert.equal(r.state.spawnerr, 'Exited too quickly (process log may have details)');
});

test('a start after FATAL gets its startretries again (supervisor\'s give_up resets backoff)', () => {
  const settings = { ...cfg, startretries: 1 };
  const attempt = (first: ProcEvent, t: number, gen: number): Array<[ProcEvent, number]> => [
    [first, t],
    [{ type: 'spawned', pid: 100 + gen }, t],
    [{ type: 'exited', code: 1, signal: null }, t + 10],
  ];
  const r = run(
    [
      ...attempt({ type: 'start' }, 0, 1),
      ...attempt({ type: 'timer', name: 'backoff', generation: 1 }, 1100, 2),
      ...attempt({ type: 'start' }, 5000, 3),
      ...attempt({ type: 'timer', name: 'backoff', generation: 3 }, 6100, 4),
    ],
    settings,
  );
  assert.deepEqual(r.states, ['STARTING', 'BACKOFF', 'STARTING', 'BACKOFF', 'FATAL', 'STARTING', 'BACKOFF', 'STARTING', 'BACKOFF', 'FATAL']);
  assert.equal(r.state.backoff, 0);
});

test('an exit after startsecs but before its timer logs success: first (supervisord transitions before it reaps)', () => {
  const r = run(
    [
      [{ type: 'start' }, 0],
      [{ type: 'spawned', pid: 9 }, 0],
      [{ type: 'exited', code: 3, signal: null }, 1005],
    ],
    { ...cfg, startsecs: 1, autorestart: 'false' },
  );
  assert.deepEqual(r.states, ['STARTING', 'RUNNING', 'EXITED']);
  const logs = r.effects.filter((e) => e.type === 'log').map((e) => (e as { message: string }).message);
  assert.deepEqual(logs, [
    "spawned: 'web' with pid 9",
    'success: web entered RUNNING state, process has stayed up for > than 1 seconds (startsecs)',
    'exited: web (exit status 3; not expected)',
  ]);
});

test('a stale timer (earlier generation) is ignored', () => {
  const r = run([
    [{ type: 'start' }, 0],
    [{ type: 'spawned', pid: 1 }, 0],
    [{ type: 'timer', name: 'startsecs', generation: 0 }, 5000],
  ]);
  assert.equal(r.state.state, 'STARTING');
});

test('unexpected exit from RUNNING → EXITED then restarted at once (autorestart=unexpected)', () => {
  const r = run([
    [{ type: 'start' }, 0],
    [{ type: 'spawned', pid: 1 }, 0],
    [{ type: 'timer', name: 'startsecs', generation: 1 }, 1000],
    [{ type: 'exited', code: null, signal: 'KILL' }, 5000],
  ]);
  assert.deepEqual(r.states, ['STARTING', 'RUNNING', 'EXITED', 'STARTING']);
  assert.equal(r.effects.filter((e) => e.type === 'spawn').length, 2);
  const exited = r.effects.find((e) => e.type === 'state' && e.to === 'EXITED') as { expected?: boolean };
  assert.equal(exited.expected, false);
});

test('expected exit with autorestart=unexpected stays EXITED', () => {
  const r = run([
    [{ type: 'start' }, 0],
    [{ type: 'spawned', pid: 1 }, 0],
    [{ type: 'timer', name: 'startsecs', generation: 1 }, 1000],
    [{ type: 'exited', code: 0, signal: null }, 5000],
  ]);
  assert.equal(r.state.state, 'EXITED');
  assert.equal(r.state.exitstatus, 0);
});

test('autorestart=true restarts an expected exit; autorestart=false never', () => {
  const seq: Array<[ProcEvent, number]> = [
    [{ type: 'start' }, 0],
    [{ type: 'spawned', pid: 1 }, 0],
    [{ type: 'timer', name: 'startsecs', generation: 1 }, 1000],
    [{ type: 'exited', code: 0, signal: null }, 5000],
  ];
  assert.equal(run(seq, { ...cfg, autorestart: 'true' }).state.state, 'STARTING');
  assert.equal(run(seq, { ...cfg, autorestart: 'false' }).state.state, 'EXITED');
  const crash: Array<[ProcEvent, number]> = [...seq.slice(0, 3), [{ type: 'exited', code: 3, signal: null }, 5000]];
  assert.equal(run(crash, { ...cfg, autorestart: 'false' }).state.state, 'EXITED');
});

test('nothing restarts while supervisord shuts down', () => {
  const r = run(
    [
      [{ type: 'start' }, 0],
      [{ type: 'spawned', pid: 1 }, 0],
      [{ type: 'timer', name: 'startsecs', generation: 1 }, 1000],
    ],
  );
  const after = transition(r.state, { type: 'exited', code: 9, signal: null }, { ...cfg, autorestart: 'true' }, { now: 9000, autoStartAllowed: false });
  assert.equal(after.state.state, 'EXITED');
  assert.ok(!after.effects.some((e) => e.type === 'spawn'));
});

test('stop: stopsignal, STOPPING, SIGKILL after stopwaitsecs, STOPPED on exit', () => {
  const r = run([
    [{ type: 'start' }, 0],
    [{ type: 'spawned', pid: 9 }, 0],
    [{ type: 'timer', name: 'startsecs', generation: 1 }, 1000],
    [{ type: 'stop' }, 2000],
    [{ type: 'timer', name: 'stopwait', generation: 1 }, 12000],
    [{ type: 'exited', code: null, signal: 'KILL' }, 12001],
  ], { ...cfg, stopasgroup: true, killasgroup: true });
  assert.deepEqual(r.states, ['STARTING', 'RUNNING', 'STOPPING', 'STOPPED']);
  const kills = r.effects.filter((e) => e.type === 'kill') as Array<{ signal: string; group: boolean }>;
  assert.deepEqual(kills, [{ type: 'kill', signal: 'TERM', group: true }, { type: 'kill', signal: 'KILL', group: true }]);
  assert.equal(r.state.exitstatus, -1);
});

test('stop in BACKOFF goes straight to STOPPED', () => {
  const r = run([
    [{ type: 'start' }, 0],
    [{ type: 'spawnFailed', error: "can't find command 'nope'" }, 0],
    [{ type: 'stop' }, 100],
  ]);
  assert.deepEqual(r.states, ['STARTING', 'BACKOFF', 'STOPPED']);
});

test('start is ignored unless stopped, exited, fatal or backoff', () => {
  const r = run([[{ type: 'start' }, 0], [{ type: 'spawned', pid: 3 }, 0], [{ type: 'start' }, 10]]);
  assert.equal(r.effects.filter((e) => e.type === 'spawn').length, 1);
});

/**
 * A crash loop (startsecs=0, autorestart=true, dies 2 ms after each spawn), driven the way
 * subprocess.ts drives it: each spawn effect is answered with `spawned` and, 2 ms later, `exited`;
 * each `restart` timer fires when due. Returns every effect and the times of the spawns.
 */
function crashLoop(spawns: number, runMs = 2, settings: Settings = { ...cfg, startsecs: 0, autorestart: 'true' }) {
  let state = initialState;
  let now = 0;
  const effects: Effect[] = [];
  const spawnTimes: number[] = [];
  const step = (event: ProcEvent) => {
    const r = transition(state, event, settings, { now, autoStartAllowed: true });
    state = r.state;
    effects.push(...r.effects);
    return r.effects;
  };
  let pending = step({ type: 'start' });
  while (spawnTimes.length < spawns) {
    if (pending.some((e) => e.type === 'spawn')) {
      spawnTimes.push(now);
      step({ type: 'spawned', pid: 100 + spawnTimes.length });
      now += runMs;
      pending = step({ type: 'exited', code: 1, signal: null });
    } else {
      const timer = pending.find((e) => e.type === 'timer' && e.name === 'restart') as { ms: number; generation: number } | undefined;
      assert.ok(timer, `after spawn ${spawnTimes.length}: neither a spawn nor a restart timer`);
      assert.equal(state.state, 'EXITED', 'a throttled process waits EXITED, as supervisord shows it between ticks');
      now += timer.ms;
      pending = step({ type: 'timer', name: 'restart', generation: timer.generation });
    }
  }
  return { state, effects, spawnTimes, logs: effects.filter((e) => e.type === 'log').map((e) => (e as { message: string }).message) };
}

test('crash loop: two instant respawns, then 1 s, 2 s … up to 5 s apart; logged once', () => {
  const r = crashLoop(9);
  const gaps = r.spawnTimes.slice(1).map((t, i) => t - r.spawnTimes[i]!);
  assert.deepEqual(gaps, [2, 2, 1002, 2002, 3002, 4002, 5002, 5002]);
  const loopLines = r.logs.filter((m) => m.startsWith('crash loop:'));
  assert.deepEqual(loopLines, [
    'crash loop: web exited 3 times in a row within 1 s of its spawn; respawning it 1 s, 2 s … up to 5 s apart until a run lasts 1 s',
  ]);
  // supervisor's own lines stay, one of each per spawn, and the states it shows.
  assert.equal(r.logs.filter((m) => m.startsWith('spawned:')).length, 9);
  assert.equal(r.logs.filter((m) => m === 'exited: web (exit status 1; not expected)').length, 9);
  const states = r.effects.filter((e) => e.type === 'state').map((e) => (e as { to: string }).to);
  assert.deepEqual(states.slice(0, 8), ['STARTING', 'RUNNING', 'EXITED', 'STARTING', 'RUNNING', 'EXITED', 'STARTING', 'RUNNING']);
});

test('crash loop: the throttle applies whatever startsecs says, once the process counted as started', () => {
  // startsecs=1 and runs of 0.5 s: BACKOFF/FATAL as supervisor (startretries), no crash loop.
  const quick = run([
    [{ type: 'start' }, 0],
    [{ type: 'spawned', pid: 1 }, 0],
    [{ type: 'exited', code: 1, signal: null }, 500],
  ], { ...cfg, autorestart: 'true' });
  assert.equal(quick.state.state, 'BACKOFF');
  // startsecs=0, autorestart=unexpected, a non-zero exit 0.9 s after each spawn: still instant.
  const r = crashLoop(4, 900, { ...cfg, startsecs: 0, autorestart: 'unexpected' });
  const gaps = r.spawnTimes.slice(1).map((t, i) => t - r.spawnTimes[i]!);
  assert.deepEqual(gaps, [900, 900, 1900]);
});

test('a process that crashed after running 1.5 s is respawned at once, and its count starts again', () => {
  const settings: Settings = { ...cfg, startsecs: 0, autorestart: 'true' };
  const loop = crashLoop(5);
  assert.equal(loop.state.crashes, 5);
  assert.equal(loop.state.state, 'EXITED');
  // Its pending restart comes; this time it stays up 1.5 s, then crashes: respawned at once.
  let now = 100_000;
  const step = (st: ProcState, event: ProcEvent) => transition(st, event, settings, { now, autoStartAllowed: true });
  let st = step(loop.state, { type: 'timer', name: 'restart', generation: loop.state.generation }).state;
  assert.equal(st.state, 'STARTING');
  st = step(st, { type: 'spawned', pid: 999 }).state;
  now += 1500;
  const r = step(st, { type: 'exited', code: 1, signal: null });
  assert.equal(r.state.crashes, 0);
  assert.equal(r.state.state, 'STARTING');
  assert.ok(r.effects.some((e) => e.type === 'spawn'));
  assert.ok(!r.effects.some((e) => e.type === 'timer' && e.name === 'restart'));
  assert.ok(!r.effects.some((e) => e.type === 'log' && e.message.startsWith('crash loop:')));
});

test('crash loop between spawns: stop makes it STOPPED, start spawns at once with a fresh count, shutdown spawns nothing', () => {
  const settings: Settings = { ...cfg, startsecs: 0, autorestart: 'true' };
  // after the third exit: EXITED, restart pending
  const waiting = crashLoop(3).state;
  assert.equal(waiting.state, 'EXITED');
  assert.equal(waiting.restartPending, true);

  const stopped = transition(waiting, { type: 'stop' }, settings, { now: 20, autoStartAllowed: true });
  assert.equal(stopped.state.state, 'STOPPED');
  assert.equal(stopped.state.restartPending, false);
  const late = transition(stopped.state, { type: 'timer', name: 'restart', generation: waiting.generation }, settings, { now: 2000, autoStartAllowed: true });
  assert.equal(late.state.state, 'STOPPED', 'the pending restart is dropped by a stop');

  const started = transition(waiting, { type: 'start' }, settings, { now: 20, autoStartAllowed: true });
  assert.equal(started.state.state, 'STARTING');
  assert.equal(started.state.crashes, 0);

  const shutdown = transition(waiting, { type: 'timer', name: 'restart', generation: waiting.generation }, settings, { now: 2000, autoStartAllowed: false });
  assert.equal(shutdown.state.state, 'EXITED');
  assert.ok(!shutdown.effects.some((e) => e.type === 'spawn'));
});

// ---- readiness (ready=, ready_timeout=)

const readyCfg: Settings = { ...cfg, startsecs: 1, startretries: 1, ready: { text: 'tcp:127.0.0.1:1' }, readyTimeout: 2 };

test('ready=: STARTING until the ready event, not after startsecs; the probe started and stopped', () => {
  const r = run(
    [
      [{ type: 'start' }, 0],
      [{ type: 'spawned', pid: 42 }, 1],
      [{ type: 'timer', name: 'startsecs', generation: 1 }, 1001],
    ],
    readyCfg,
  );
  assert.deepEqual(r.states, ['STARTING']);
  assert.equal(r.state.ready, false);
  assert.ok(!r.effects.some((e) => e.type === 'timer' && e.name === 'startsecs'));
  assert.ok(r.effects.some((e) => e.type === 'probe' && e.action === 'start' && e.generation === 1));
  assert.ok(r.effects.some((e) => e.type === 'timer' && e.name === 'ready' && e.ms === 2000));
  const ready = transition(r.state, { type: 'ready', generation: 1 }, readyCfg, { now: 1500, autoStartAllowed: true });
  assert.equal(ready.state.state, 'RUNNING');
  assert.equal(ready.state.ready, true);
  assert.ok(ready.effects.some((e) => e.type === 'probe' && e.action === 'stop'));
  assert.ok(ready.effects.some((e) => e.type === 'log' && /process is ready \(ready=tcp:127\.0\.0\.1:1\)/.test(e.message)));
});

test('ready=: a ready event of an older spawn is ignored', () => {
  const r = run([[{ type: 'start' }, 0], [{ type: 'spawned', pid: 42 }, 1], [{ type: 'ready', generation: 0 }, 5]], readyCfg);
  assert.equal(r.state.state, 'STARTING');
});

test('ready=: not ready by ready_timeout → stopped while STARTING, its exit BACKOFF with the reason, then FATAL', () => {
  let st = initialState;
  const all: Effect[] = [];
  const step = (event: ProcEvent, now: number, probeAnswer?: string) => {
    const r = transition(st, event, readyCfg, { now, autoStartAllowed: true, ...(probeAnswer ? { probeAnswer } : {}) });
    st = r.state;
    all.push(...r.effects);
    return r;
  };
  step({ type: 'start' }, 0);
  step({ type: 'spawned', pid: 42 }, 1);
  const timeout = step({ type: 'timer', name: 'ready', generation: 1 }, 2001, 'ECONNREFUSED');
  assert.equal(st.state, 'STARTING');
  assert.ok(timeout.effects.some((e) => e.type === 'kill' && e.signal === 'TERM'));
  assert.ok(timeout.effects.some((e) => e.type === 'probe' && e.action === 'stop'));
  // the stop signal is ignored: SIGKILL after stopwaitsecs
  const kill = step({ type: 'timer', name: 'stopwait', generation: 1 }, 12001);
  assert.ok(kill.effects.some((e) => e.type === 'kill' && e.signal === 'KILL'));
  step({ type: 'exited', code: null, signal: 'KILL' }, 12002);
  assert.equal(st.state, 'BACKOFF');
  assert.equal(st.spawnerr, 'not ready after 2 s: tcp:127.0.0.1:1: ECONNREFUSED');
  // the retry: same again, then FATAL (startretries=1)
  step({ type: 'timer', name: 'backoff', generation: 1 }, 13002);
  step({ type: 'spawned', pid: 43 }, 13003);
  step({ type: 'timer', name: 'ready', generation: 2 }, 15003, 'ECONNREFUSED');
  step({ type: 'exited', code: 0, signal: null }, 15004);
  assert.equal(st.state, 'FATAL');
  const states = all.filter((e) => e.type === 'state').map((e) => (e as { to: string }).to);
  assert.deepEqual(states, ['STARTING', 'BACKOFF', 'STARTING', 'BACKOFF', 'FATAL']);
});

test('ready=: an exit before ready is a failed start even after startsecs', () => {
  const r = run([[{ type: 'start' }, 0], [{ type: 'spawned', pid: 42 }, 1], [{ type: 'exited', code: 0, signal: null }, 5000]], readyCfg);
  assert.equal(r.state.state, 'BACKOFF');
  assert.match(r.state.spawnerr, /before it was ready/);
});

test('ready=: stop while STARTING stops it (STOPPED), the probe stopped; ready false again after RUNNING → stop', () => {
  const r = run([[{ type: 'start' }, 0], [{ type: 'spawned', pid: 42 }, 1], [{ type: 'stop' }, 5], [{ type: 'exited', code: null, signal: 'TERM' }, 6]], readyCfg);
  assert.deepEqual(r.states, ['STARTING', 'STOPPING', 'STOPPED']);
  assert.ok(r.effects.some((e) => e.type === 'probe' && e.action === 'stop'));
  const r2 = run([[{ type: 'start' }, 0], [{ type: 'spawned', pid: 42 }, 1], [{ type: 'ready', generation: 1 }, 2], [{ type: 'stop' }, 5]], readyCfg);
  assert.equal(r2.state.state, 'STOPPING');
  assert.equal(r2.state.ready, false);
});

test('without ready=: ready exactly when RUNNING', () => {
  const r = run([[{ type: 'start' }, 0], [{ type: 'spawned', pid: 42 }, 1]]);
  assert.equal(r.state.ready, false);
  const r2 = run([[{ type: 'start' }, 0], [{ type: 'spawned', pid: 42 }, 1], [{ type: 'timer', name: 'startsecs', generation: 1 }, 1001]]);
  assert.equal(r2.state.ready, true);
  assert.ok(!r2.effects.some((e) => e.type === 'probe'));
});

// ---- health (healthcheck=): the restart it asks for

test('unhealthy: a RUNNING process is stopped with stopsignal, then spawned again', () => {
  const r = run([
    [{ type: 'start' }, 0],
    [{ type: 'spawned', pid: 42 }, 1],
    [{ type: 'timer', name: 'startsecs', generation: 1 }, 1001],
    [{ type: 'unhealthy', generation: 1, reason: 'unhealthy: 3 health checks failed in a row (healthcheck=exec:x), last answer: exit status 1' }, 5000],
  ]);
  assert.deepEqual(r.states, ['STARTING', 'RUNNING', 'STOPPING']);
  assert.ok(r.effects.some((e) => e.type === 'kill' && e.signal === 'TERM'));
  assert.ok(r.effects.some((e) => e.type === 'timer' && e.name === 'stopwait' && e.ms === 10000));
  assert.ok(r.effects.some((e) => e.type === 'log' && /^web: unhealthy: 3 health checks .*last answer: exit status 1; restarting it with SIGTERM/.test(e.message)));
  const exit = transition(r.state, { type: 'exited', code: null, signal: 'TERM' }, cfg, { now: 5100, autoStartAllowed: true });
  const states = exit.effects.filter((e) => e.type === 'state').map((e) => (e as { to: string }).to);
  assert.deepEqual(states, ['STOPPED', 'STARTING']);
  assert.equal(exit.state.generation, 2);
  assert.equal(exit.state.healthRestart, false);
});

test('unhealthy: ignored for an older spawn or out of RUNNING; an admin stop meanwhile wins; no restart at shutdown', () => {
  const up = run([[{ type: 'start' }, 0], [{ type: 'spawned', pid: 42 }, 1], [{ type: 'timer', name: 'startsecs', generation: 1 }, 1001]]);
  assert.equal(transition(up.state, { type: 'unhealthy', generation: 0, reason: 'r' }, cfg, { now: 2000, autoStartAllowed: true }).effects.length, 0);
  const starting = run([[{ type: 'start' }, 0], [{ type: 'spawned', pid: 42 }, 1]]);
  assert.equal(transition(starting.state, { type: 'unhealthy', generation: 1, reason: 'r' }, cfg, { now: 2, autoStartAllowed: true }).effects.length, 0);
  const killing = transition(up.state, { type: 'unhealthy', generation: 1, reason: 'r' }, cfg, { now: 2000, autoStartAllowed: true }).state;
  const stopped = transition(killing, { type: 'stop' }, cfg, { now: 2001, autoStartAllowed: true }).state;
  const exit = transition(stopped, { type: 'exited', code: 0, signal: null }, cfg, { now: 2100, autoStartAllowed: true });
  assert.equal(exit.state.state, 'STOPPED');
  const atShutdown = transition(killing, { type: 'exited', code: 0, signal: null }, cfg, { now: 2100, autoStartAllowed: false });
  assert.equal(atShutdown.state.state, 'STOPPED');
});

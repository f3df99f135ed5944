/**
 * tsupervisor's retry keys in the pure state machine: `startretries=-1` never gives up,
 * `backoff_max=` makes the waits double from 1 s up to the cap (for start retries and for the
 * crash-loop throttle alike); without them supervisor's 1, 2, 3 … s and its FATAL are unchanged.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initialState, transition, type Effect, type ProcEvent, type ProcState, type Settings } from '../src/process/transition.js';
import { restartDelayMs, retryDelayMs } from '../src/process/crash-loop.js';

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

/** `tries` failed starts in a row (each exits 10 ms after its spawn), retried by the backoff timer. */
function failedStarts(tries: number, settings: Settings) {
  let state: ProcState = initialState;
  const effects: Effect[] = [];
  let t = 0;
  const step = (event: ProcEvent) => {
    const r = transition(state, event, settings, { now: t, autoStartAllowed: true });
    state = r.state;
    effects.push(...r.effects);
  };
  for (let i = 1; i <= tries; i++) {
    step(i === 1 ? { type: 'start' } : { type: 'timer', name: 'backoff', generation: state.generation });
    if (state.state !== 'STARTING') break;
    step({ type: 'spawned', pid: 100 + i });
    t += 10;
    step({ type: 'exited', code: 1, signal: null });
    t += 100_000;
  }
  const delays = effects.filter((e) => e.type === 'timer' && e.name === 'backoff').map((e) => (e as { ms: number }).ms);
  return { state, delays };
}

test('startretries=-1 retries for ever (40 failed starts, still BACKOFF, never FATAL)', () => {
  const r = failedStarts(40, { ...cfg, startretries: -1 });
  assert.equal(r.state.state, 'BACKOFF');
  assert.equal(r.delays.length, 40);
  // without backoff_max: supervisor's linear waits, 1 s more each time
  assert.deepEqual(r.delays.slice(0, 4), [1000, 2000, 3000, 4000]);
});

test('backoff_max doubles the wait from 1 s up to the cap', () => {
  const r = failedStarts(8, { ...cfg, startretries: -1, backoffMax: 10 });
  assert.deepEqual(r.delays, [1000, 2000, 4000, 8000, 10000, 10000, 10000, 10000]);
  assert.equal(r.state.state, 'BACKOFF');
});

test('backoff_max with a finite startretries still gives up (FATAL) after them', () => {
  const r = failedStarts(5, { ...cfg, startretries: 2, backoffMax: 30 });
  assert.deepEqual(r.delays, [1000, 2000]);
  assert.equal(r.state.state, 'FATAL');
});

test('without the new keys: supervisor\'s 1, 2, 3 s and FATAL; other negative startretries give up at once as supervisor', () => {
  assert.deepEqual(failedStarts(6, cfg).delays, [1000, 2000, 3000]);
  assert.equal(failedStarts(6, cfg).state.state, 'FATAL');
  const r = failedStarts(3, { ...cfg, startretries: -2 });
  assert.deepEqual(r.delays, []);
  assert.equal(r.state.state, 'FATAL');
});

test('the crash-loop throttle follows backoff_max too (one rule for both waits)', () => {
  assert.deepEqual([1, 2, 3, 4, 5, 6, 7, 8].map((n) => restartDelayMs(n)), [0, 0, 1000, 2000, 3000, 4000, 5000, 5000]);
  assert.deepEqual([1, 2, 3, 4, 5, 6, 7, 8].map((n) => restartDelayMs(n, 6)), [0, 0, 1000, 2000, 4000, 6000, 6000, 6000]);
  assert.deepEqual([1, 2, 3].map((n) => retryDelayMs(n)), [1000, 2000, 3000]);
  assert.equal(retryDelayMs(200, 60), 60_000);
});

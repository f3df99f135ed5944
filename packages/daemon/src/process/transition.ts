/**
 * The process state machine as a pure function: (state, event, settings, now) → (state, effects).
 * It reads no clock and touches no process; the driver (subprocess.ts) performs the effects and
 * turns timers, spawns and exits back into events. Semantics follow supervisor 4.2.5's
 * process.py (reference §3), but react at once where supervisor waits for its 1 s tick; a process
 * that dies right after each spawn is throttled instead (crash-loop.ts).
 *
 * Readiness (tsupervisor's `ready=`, issue 16): with a check configured, STARTING becomes
 * RUNNING on the `ready` event (the probe succeeded) instead of after startsecs; the `ready`
 * timer (ready_timeout) ends the attempt: the process is stopped (stopsignal, SIGKILL after
 * stopwaitsecs) while still STARTING and its exit is a failed start (BACKOFF, then FATAL),
 * with a spawn error naming the check and its last answer. `ready` in the state is THE
 * readiness of the process for everyone else (status, dependencies): true from RUNNING on,
 * false again once it is being stopped or has exited.
 *
 * Health (`healthcheck=`) is watched beside the state (health/); when its checks fail
 * healthcheck_retries times in a row the `unhealthy` event restarts a RUNNING process: stopped
 * as `stop` does (stopsignal, SIGKILL after stopwaitsecs), STOPPED, then spawned again.
 */
import { RUNNING_STATES, SIGNALLABLE_STATES, STARTABLE_STATES, STOPPED_STATES, type ProcessStateName } from '@tsupervisor/protocol';
import type { AutoRestart } from '../config/types.js';
import { countCrash, crashLoopMessage, restartDelayMs, retriesSpent, retryDelayMs, throttleEngages } from './crash-loop.js';

export interface ProcState {
  state: ProcessStateName;
  /** Consecutive failed starts (supervisor's `backoff`). */
  backoff: number;
  /** Instant crashes in a row (runs shorter than crash-loop.ts's INSTANT_CRASH_MS). */
  crashes: number;
  /** EXITED with a throttled restart to come: `stop` makes it STOPPED, as a stop in BACKOFF. */
  restartPending: boolean;
  /** Incremented at each spawn; timer events carry it so stale timers are ignored. */
  generation: number;
  /** ms since the epoch of the last spawn (0 = never started) and the last exit. */
  laststart: number;
  laststop: number;
  /** Exit status of the last exit (-1 when killed by a signal), null when it exited too quickly. */
  exitstatus: number | null;
  spawnerr: string;
  /** A stop was asked for: the next exit is STOPPING → STOPPED. */
  killing: boolean;
  pid: number;
  /** Ready: RUNNING reached in this spawn (after its `ready=` check when it has one). */
  ready: boolean;
  /** Not ready within ready_timeout: the spawn error its exit will report while it is killed. */
  notReady: string | null;
  /** Being stopped because it is unhealthy: spawned again once it has stopped. */
  healthRestart: boolean;
}

export const initialState: ProcState = {
  state: 'STOPPED',
  backoff: 0,
  crashes: 0,
  restartPending: false,
  generation: 0,
  laststart: 0,
  laststop: 0,
  exitstatus: 0,
  spawnerr: '',
  killing: false,
  pid: 0,
  ready: false,
  notReady: null,
  healthRestart: false,
};

/** The settings of a process that the machine needs. */
export interface Settings {
  name: string;
  startsecs: number;
  startretries: number;
  autorestart: AutoRestart;
  exitcodes: number[];
  stopsignal: string;
  stopwaitsecs: number;
  stopasgroup: boolean;
  killasgroup: boolean;
  /** tsupervisor `backoff_max=`: retry waits double from 1 s up to this many seconds. */
  backoffMax?: number;
  /** `ready=`: its text (for messages); null or absent: ready when RUNNING after startsecs. */
  ready?: { text: string } | null;
  /** Seconds the check may take (ready_timeout=). */
  readyTimeout?: number;
}

/** `restart`: the throttled automatic restart of a crash loop, from EXITED. */
/** `ready`: ready_timeout of the current spawn's readiness check. */
export type TimerName = 'startsecs' | 'backoff' | 'stopwait' | 'restart' | 'ready';

export type ProcEvent =
  /** Spawn now (an admin start, autostart, or a retry). Ignored unless in a startable state. */
  | { type: 'start' }
  | { type: 'spawned'; pid: number }
  | { type: 'spawnFailed'; error: string }
  | { type: 'timer'; name: TimerName; generation: number }
  | { type: 'exited'; code: number | null; signal: string | null }
  /** Send the stop signal (admin stop, shutdown, removal). */
  | { type: 'stop' }
  /** A kill(2) failed with something other than ESRCH. */
  | { type: 'killFailed'; error: string }
  /** The readiness check of spawn `generation` succeeded. */
  | { type: 'ready'; generation: number }
  /** The health checks of spawn `generation` failed healthcheck_retries times: restart it. */
  | { type: 'unhealthy'; generation: number; reason: string };

export type Effect =
  | { type: 'spawn' }
  | { type: 'kill'; signal: string; group: boolean }
  | { type: 'timer'; name: TimerName; ms: number; generation: number }
  | { type: 'state'; from: ProcessStateName; to: ProcessStateName; expected?: boolean }
  | { type: 'log'; level: 'info' | 'warn' | 'debug' | 'critical'; message: string }
  /** Start or stop the readiness check of spawn `generation` (the driver owns the probe). */
  | { type: 'probe'; action: 'start' | 'stop'; generation: number };

export interface Context {
  now: number;
  /** False while supervisord shuts down or restarts: nothing is started automatically. */
  autoStartAllowed: boolean;
  /**
   * Spawned by supervisord's transition loop (autostart): with startsecs=0 the RUNNING (and,
   * when the spawn fails with no retry left, the FATAL) comes a turn later, so several processes
   * started together log all their `spawned:` / `spawnerr:` lines first.
   */
  deferRunning?: boolean;
  /** The readiness probe's last answer (why it is not ready yet), for the ready_timeout error. */
  probeAnswer?: string;
}

export interface Result {
  state: ProcState;
  effects: Effect[];
}

export function isStoppedState(state: ProcessStateName): boolean {
  return STOPPED_STATES.includes(state);
}

export function isRunningState(state: ProcessStateName): boolean {
  return RUNNING_STATES.includes(state);
}

/**
 * What `stop` acts on: the running states, and a crash loop between two spawns (supervisord's
 * loop has respawned such a process by the time it reads a stop request; here it waits EXITED).
 */
export function isStoppable(st: ProcState): boolean {
  return isRunningState(st.state) || st.restartPending;
}

export function transition(prev: ProcState, event: ProcEvent, cfg: Settings, ctx: Context): Result {
  const s: ProcState = { ...prev };
  const effects: Effect[] = [];
  const change = (to: ProcessStateName, expected?: boolean) => {
    const from = s.state;
    s.state = to;
    if (from === 'STARTING' && cfg.ready) effects.push({ type: 'probe', action: 'stop', generation: s.generation });
    effects.push(expected === undefined ? { type: 'state', from, to } : { type: 'state', from, to, expected });
  };
  const log = (level: 'info' | 'warn' | 'debug' | 'critical', message: string) => effects.push({ type: 'log', level, message });

  /** STARTING: ask the driver to spawn. */
  const spawn = () => {
    s.generation += 1;
    s.healthRestart = false;
    s.restartPending = false;
    s.spawnerr = '';
    s.killing = false;
    s.ready = false;
    s.notReady = null;
    s.exitstatus = null;
    s.laststart = ctx.now;
    change('STARTING');
    effects.push({ type: 'spawn' });
  };

  /** Enter BACKOFF; give up (FATAL) once the retries are spent, else schedule the retry. */
  const giveUp = () => {
    // supervisor's give_up resets the count: a later start gets its startretries again.
    s.backoff = 0;
    change('FATAL');
    log('info', `gave up: ${cfg.name} entered FATAL state, too many start retries too quickly`);
  };
  const backoff = () => {
    s.backoff += 1;
    change('BACKOFF');
    if (retriesSpent(s.backoff, cfg.startretries)) {
      // From supervisord's transition loop (autostart) the give-up comes on its next pass.
      if (ctx.deferRunning) effects.push({ type: 'timer', name: 'backoff', ms: 0, generation: s.generation });
      else giveUp();
    } else {
      effects.push({ type: 'timer', name: 'backoff', ms: retryDelayMs(s.backoff, cfg.backoffMax), generation: s.generation });
    }
  };

  const kill = (signal: string) => {
    const group = s.state === 'STOPPING' ? cfg.killasgroup : cfg.stopasgroup;
    s.killing = true;
    s.ready = false;
    if (s.state !== 'STOPPING') change('STOPPING');
    effects.push({ type: 'kill', signal, group });
    effects.push({ type: 'timer', name: 'stopwait', ms: cfg.stopwaitsecs * 1000, generation: s.generation });
  };

  switch (event.type) {
    case 'start':
      if (!STARTABLE_STATES.includes(s.state)) break;
      s.crashes = 0;
      spawn();
      break;

    case 'spawned':
      if (s.state !== 'STARTING') break;
      s.pid = event.pid;
      log('info', `spawned: '${cfg.name}' with pid ${event.pid}`);
      if (cfg.ready) {
        effects.push({ type: 'probe', action: 'start', generation: s.generation });
        effects.push({ type: 'timer', name: 'ready', ms: Math.round((cfg.readyTimeout ?? 60) * 1000), generation: s.generation });
      } else if (cfg.startsecs <= 0 && !ctx.deferRunning) {
        enterRunning();
      } else {
        effects.push({ type: 'timer', name: 'startsecs', ms: Math.max(0, cfg.startsecs * 1000), generation: s.generation });
      }
      break;

    case 'spawnFailed':
      if (s.state !== 'STARTING') break;
      s.spawnerr = event.error;
      s.pid = 0;
      log('info', `spawnerr: ${event.error}`);
      backoff();
      break;

    case 'timer':
      if (event.generation !== s.generation) break;
      if (event.name === 'startsecs' && s.state === 'STARTING' && !cfg.ready) {
        enterRunning();
      } else if (event.name === 'ready' && s.state === 'STARTING' && cfg.ready && s.pid && !s.notReady) {
        notReady();
      } else if (event.name === 'backoff' && s.state === 'BACKOFF' && retriesSpent(s.backoff, cfg.startretries)) {
        giveUp();
      } else if (event.name === 'backoff' && s.state === 'BACKOFF' && ctx.autoStartAllowed) {
        spawn();
      } else if (event.name === 'restart' && s.state === 'EXITED' && ctx.autoStartAllowed) {
        spawn();
      } else if (event.name === 'stopwait' && (s.state === 'STOPPING' || (s.state === 'STARTING' && s.notReady)) && s.pid) {
        log('warn', `killing '${cfg.name}' (${s.pid}) with SIGKILL`);
        effects.push({ type: 'kill', signal: 'KILL', group: cfg.killasgroup });
        effects.push({ type: 'timer', name: 'stopwait', ms: cfg.stopwaitsecs * 1000, generation: s.generation });
      }
      break;

    case 'exited':
      exited(event.code, event.signal);
      break;

    case 'stop':
      s.healthRestart = false;
      if (s.state === 'BACKOFF' || (s.state === 'EXITED' && s.restartPending)) {
        s.restartPending = false;
        change('STOPPED');
      } else if (s.pid && SIGNALLABLE_STATES.includes(s.state)) {
        kill(cfg.stopsignal);
      }
      break;

    case 'ready':
      if (event.generation !== s.generation || s.state !== 'STARTING' || !cfg.ready || !s.pid || s.notReady) break;
      enterRunning();
      break;

    case 'unhealthy':
      if (event.generation !== s.generation || s.state !== 'RUNNING' || !s.pid) break;
      log('warn', `${cfg.name}: ${event.reason}; restarting it with SIG${cfg.stopsignal} (SIGKILL after ${cfg.stopwaitsecs} s)`);
      s.healthRestart = true;
      kill(cfg.stopsignal);
      break;

    case 'killFailed':
      log('critical', `unknown problem killing ${cfg.name} (${s.pid}): ${event.error}`);
      s.killing = false;
      change('UNKNOWN');
      break;
  }
  return { state: s, effects };

  function enterRunning() {
    s.backoff = 0;
    s.ready = true;
    change('RUNNING');
    if (cfg.ready) log('info', `success: ${cfg.name} entered RUNNING state, process is ready (ready=${cfg.ready.text})`);
    else log('info', `success: ${cfg.name} entered RUNNING state, process has stayed up for > than ${cfg.startsecs} seconds (startsecs)`);
  }

  /** ready_timeout passed: stop it, still STARTING; its exit is the failed start (exited()). */
  function notReady() {
    const answer = ctx.probeAnswer ? `: ${ctx.probeAnswer}` : '';
    s.notReady = `not ready after ${cfg.readyTimeout ?? 60} s: ${cfg.ready!.text}${answer}`;
    log('warn', `${cfg.name}: ${s.notReady}; stopping it with SIG${cfg.stopsignal}`);
    effects.push({ type: 'probe', action: 'stop', generation: s.generation });
    effects.push({ type: 'kill', signal: cfg.stopsignal, group: cfg.stopasgroup });
    effects.push({ type: 'timer', name: 'stopwait', ms: cfg.stopwaitsecs * 1000, generation: s.generation });
  }

  function exited(code: number | null, signal: string | null) {
    const es = signal ? -1 : (code ?? -1);
    const how = signal ? `terminated by SIG${signal.replace(/^SIG/, '')}` : `exit status ${es}`;
    const expected = cfg.exitcodes.includes(es);
    const ran = ctx.now - s.laststart;
    const tooQuickly = ran < cfg.startsecs * 1000;
    s.laststop = ctx.now;
    s.pid = 0;
    s.ready = false;
    if (s.killing) {
      s.killing = false;
      s.exitstatus = es;
      log(expected ? 'info' : 'warn', `stopped: ${cfg.name} (${how})`);
      change('STOPPED');
      if (s.healthRestart && ctx.autoStartAllowed) spawn();
      s.healthRestart = false;
      return;
    }
    if (s.state === 'STARTING' && (s.notReady || cfg.ready)) {
      // With a `ready=` check, an exit before ready is a failed start whatever startsecs says.
      s.exitstatus = null;
      s.spawnerr = s.notReady ?? 'Exited before it was ready (process log may have details)';
      s.notReady = null;
      log('warn', `exited: ${cfg.name} (${how}; not expected)`);
      backoff();
      return;
    }
    if (s.state === 'STARTING' && tooQuickly) {
      s.exitstatus = null;
      s.spawnerr = 'Exited too quickly (process log may have details)';
      log('warn', `exited: ${cfg.name} (${how}; not expected)`);
      backoff();
      return;
    }
    if (s.state !== 'RUNNING' && s.state !== 'STARTING') return;
    // Up for startsecs but the timer had not fired yet: supervisord's loop runs the processes'
    // transitions before it reaps, so its `success:` line always comes before the `exited:` one.
    if (s.state === 'STARTING') enterRunning();
    s.backoff = 0;
    s.exitstatus = es;
    if (expected) {
      log('info', `exited: ${cfg.name} (${how}; expected)`);
    } else {
      s.spawnerr = `Bad exit code ${es}`;
      log('warn', `exited: ${cfg.name} (${how}; not expected)`);
    }
    change('EXITED', expected);
    s.crashes = countCrash(s.crashes, ran);
    const restart = cfg.autorestart === 'true' || (cfg.autorestart === 'unexpected' && !expected);
    if (!restart || !ctx.autoStartAllowed) return;
    const delay = restartDelayMs(s.crashes, cfg.backoffMax);
    if (delay === 0) return spawn();
    if (throttleEngages(s.crashes)) log('warn', crashLoopMessage(cfg.name, s.crashes, cfg.backoffMax));
    s.restartPending = true;
    effects.push({ type: 'timer', name: 'restart', ms: delay, generation: s.generation });
  }
}

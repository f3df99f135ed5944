/**
 * One supervised process: the driver around the pure state machine (transition.ts). It
 * dispatches events, performs the effects (spawn, kill, timers), turns the child's exit into an
 * event at once (no polling tick) and tells listeners about every state change. The pieces it
 * drives live beside it: the spawn through the exec shim (spawn.ts), its timers (timers.ts), the socket_drain hold of
 * the stop signal (drain-hold.ts), reexec's hand-over (adoption.ts), getProcessInfo's answer
 * (info.ts) and what the host gives it (host.ts).
 *
 * Readiness: `ready` is true once the process is RUNNING (after its `ready=` check when it has
 * one: readiness-check.ts's, set up before the spawn and started/stopped by the state
 * machine's effects) and false once it is stopped or gone; the supervisor's typed 'ready' event
 * fires when it becomes true (process/dependencies.ts becameReady). Everything that waits for a
 * process to be ready reads these two. Health (`healthcheck=`) is the HealthMonitor's (health/),
 * started when the process becomes RUNNING and stopped when it leaves it.
 */
import { EventEmitter } from 'node:events';
import { Faults, RPCFault, type ProcessInfo, type ProcessStateName } from '@tsupervisor/protocol';
import type { ProcessConfig } from '../config/types.js';
import { resolveCommand } from './command.js';
import type { GateNote } from './dependencies.js';
import { processInfo } from './info.js';
import { childEnvironment } from './environment.js';
import { closePipesSoon, type ChildIo } from './child-pipes.js';
import { driverState, timersLeft, type ChildLike, type DriverState } from './adoption.js';
import { logsOpening } from './fd-budget.js';
import { spawnChild } from './spawn.js';
import { ArmedSlot } from './armed-spawn.js';
import type { ProcessHost, StateChange } from './host.js';
import type { ChildStdin } from './child-stdin.js';
import type { ChildOutput } from './output.js';
import { ReadinessCheck } from './readiness-check.js';
import { HealthMonitor, healthSettings } from '../health/monitor.js';
import { DrainHold } from './drain-hold.js';
import { flushDeferredRunning } from './autostart-batch.js';
import { ProcessTimers } from './timers.js';
import { initialState, isStoppedState, transition, type Effect, type ProcEvent, type ProcState } from './transition.js';

export class Subprocess extends EventEmitter {
  private st: ProcState = initialState;
  private child: ChildLike | null = null;
  /** The current child's pipes, daemon side (reexec hands them over). */
  private io: ChildIo | null = null;
  private stdin: ChildStdin | null = null;
  private readonly timers: ProcessTimers;
  /** socket_drain: holds the stop's kill and stopwait timer while the worker drains. */
  private readonly drainHold = new DrainHold();
  /** The readiness check of the current spawn (ready= as it was then, STATUS= text). */
  private readonly readiness: ReadinessCheck;
  /** Settles when the current child's pipes are drained. */
  private drained: Promise<void> = Promise.resolve();
  /** tsupervisor: what the start gate holds it for, or why it left it STOPPED (replaced, never changed). */
  gateNote: GateNote | null = null;
  /** The start gate's spawn ahead of time, held before its exec (armed-spawn.ts), or null. */
  private readonly armedSpawn = new ArmedSlot();
  readonly health: HealthMonitor;

  constructor(
    private cfg: ProcessConfig,
    private group: string,
    readonly output: ChildOutput,
    private host: ProcessHost,
  ) {
    super();
    this.setMaxListeners(0);
    this.timers = new ProcessTimers(host.os, (name, generation) => this.dispatch({ type: 'timer', name, generation }));
    const watchOutput = (fn: (chunk: Buffer) => void) => this.output.watch?.(fn) ?? (() => {});
    this.readiness = new ReadinessCheck({
      logger: () => this.host.logger,
      name: () => this.config.name,
      env: () => this.environment(),
      watchOutput,
      watchdog: () => this.health.watchdog(),
      ready: (generation) => this.dispatch({ type: 'ready', generation }),
    });
    this.health = new HealthMonitor(healthSettings(cfg), {
      name: () => this.config.name,
      logger: host.logger,
      now: () => this.host.os.now(),
      setTimer: (fn, ms) => this.host.os.setTimer(fn, ms),
      clearTimer: (t) => this.host.os.clearTimer(t),
      restart: (generation, reason) => this.dispatch({ type: 'unhealthy', generation, reason }),
      env: () => this.environment(),
      watchOutput,
    });
  }

  get config(): ProcessConfig {
    return this.cfg;
  }
  get groupName(): string {
    return this.group;
  }

  /** update: new settings; the caller restarts the process when a changed key needs it. */
  reconfigure(config: ProcessConfig): void {
    this.disarm();
    this.cfg = config;
    this.health.reconfigure(healthSettings(config));
  }

  /** update: the process now belongs to another group (a [group:x] edit); it keeps running. */
  rehome(groupName: string, host: ProcessHost): void {
    this.disarm();
    this.group = groupName;
    this.host = host;
  }

  get name(): string {
    return this.config.name;
  }
  get namespec(): string {
    return this.groupName === this.config.name ? this.config.name : `${this.groupName}:${this.config.name}`;
  }
  get state(): ProcessStateName {
    return this.st.state;
  }
  get pid(): number {
    return this.st.pid;
  }
  get spawnerr(): string {
    return this.st.spawnerr;
  }
  get laststart(): number {
    return this.st.laststart;
  }
  get snapshot(): ProcState {
    return this.st;
  }
  /** Ready: RUNNING, after its `ready=` check when it has one (the supervisor's 'ready' event says when). */
  get ready(): boolean {
    return this.st.ready;
  }
  /** The STATUS= text the process sent over NOTIFY_SOCKET ('' when none). */
  get status(): string {
    return this.readiness.statusText;
  }

  /** Spawn now if startable. Returns false if it was not in a startable state. */
  /** Inside autostart(): see Context.deferRunning. */
  private autostarting = false;

  start(): boolean {
    const before = this.st.generation;
    this.dispatch({ type: 'start' });
    return this.st.generation !== before;
  }

  /**
   * The start gate, while what this process waits for is STARTING: spawn it now, its child held
   * before the exec, for its next start to use (armed-spawn.ts). False when it cannot be.
   */
  arm(): boolean {
    if (!isStoppedState(this.st.state)) return false;
    const { os, logger } = this.host;
    const input = { os, logger, config: this.config, hasSocket: this.host.hasListeningSocket(), env: () => this.environment(), readiness: this.readiness };
    return this.armedSpawn.arm(input);
  }

  /** Whether an armed spawn waits for this process's start. */
  get armed(): boolean {
    return this.armedSpawn.full;
  }

  /** The start gate: its start is certain: let the armed child exec now (its spawn follows). */
  releaseArmed(): void {
    this.armedSpawn.release();
  }

  /**
   * The start gate: `dependency` is all the armed spawn still waits for (null: not one alone):
   * its ready signal's reader lets the armed child exec itself, when its probe can (notify).
   */
  armedGoesWith(dependency: Subprocess | null): void {
    if (this.armedSpawn.goWith(dependency, (fd) => dependency?.readiness.goOnReady(fd) ?? null)) {
      this.host.logger.log('debug', `${this.config.name}: its armed child goes at ${dependency!.namespec}'s ready signal, from that signal's reader`);
    }
  }

  /** Cancel the armed spawn, if any (its child exits without exec'ing, or is killed). */
  disarm(): void {
    if (this.armedSpawn.cancel(this.host.os)) this.readiness.release();
  }

  /** Send the stop signal (BACKOFF goes straight to STOPPED). */
  stop(): void {
    this.dispatch({ type: 'stop' });
  }

  /** Send an arbitrary signal to the running child (signalProcess). */
  signal(signal: string): void {
    if (!this.st.pid) throw new RPCFault(Faults.NOT_RUNNING, this.namespec);
    try {
      this.host.os.kill(this.st.pid, signal);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ESRCH') return;
      throw new RPCFault(Faults.FAILED, `unable to signal ${this.namespec}: ${(err as Error).message}`);
    }
  }

  /** Write to the child's stdin pipe (sendProcessStdin). */
  sendStdin(chars: string): void {
    const stdin = this.stdin;
    if (!this.st.pid || !this.child || !stdin || !stdin.writable) throw new RPCFault(Faults.NOT_RUNNING, this.namespec);
    stdin.write(chars);
  }

  /** Autostart at daemon start or group add: only a never-started STOPPED process with autostart. */
  autostart(): void {
    if (this.config.autostart && this.st.state === 'STOPPED' && this.st.laststart === 0) {
      this.autostarting = true;
      try {
        this.start();
      } finally {
        this.autostarting = false;
      }
    }
  }

  /** Resolves when `done()` returns true or throws; re-checked after every state change. */
  waitFor<T>(done: () => T | undefined): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        try {
          const value = done();
          if (value === undefined) return false;
          resolve(value);
        } catch (err) {
          reject(err);
        }
        return true;
      };
      if (check()) return;
      const listener = () => {
        if (check()) this.off('state', listener);
      };
      this.on('state', listener);
    });
  }

  /**
   * stopProcess waiting for the stop: like supervisor's stop_report, 'waiting for x to stop' is
   * logged at once and every 2 s while the process is STOPPING.
   */
  async stopWaited(): Promise<void> {
    const report = () => {
      if (this.st.state === 'STOPPING') this.host.logger.log('info', `waiting for ${this.config.name} to stop`);
    };
    report();
    const timer = setInterval(report, 2000);
    try {
      await this.waitFor(() => (isStoppedState(this.st.state) ? true : undefined));
    } finally {
      clearInterval(timer);
    }
  }

  /** Resolves once the process is in a stopped state and its output is drained. */
  async stopped(): Promise<void> {
    await this.waitFor(() => (isStoppedState(this.st.state) ? true : undefined));
    await this.drained;
  }

  info(nowMs: number): ProcessInfo {
    const { config, groupName: group, st: state, output, gateNote } = this;
    const statusText = this.readiness.statusText;
    return processInfo({ config, group, state, output, statusText, health: this.health.current, gateNote }, nowMs);
  }

  private dispatch(event: ProcEvent): void {
    const settings = this.config;
    const answer = this.readiness.answer();
    const { state, effects } = transition(this.st, event, { ...settings, ready: this.readiness.spawnReady, name: this.config.name }, {
      now: this.host.os.now(),
      autoStartAllowed: this.host.autoStartAllowed(),
      deferRunning: this.autostarting,
      ...(answer !== null ? { probeAnswer: answer } : {}),
    });
    this.st = state;
    for (const effect of effects) this.perform(effect);
  }

  private perform(effect: Effect): void {
    const drain = (pid: number) => this.host.drainBeforeStop?.(this, pid) ?? null;
    if (this.drainHold.holds(effect, () => this.st, drain, (e) => this.perform(e))) return;
    switch (effect.type) {
      case 'spawn':
        this.spawn();
        break;
      case 'kill':
        this.killChild(effect.signal, effect.group);
        break;
      case 'timer':
        this.timers.arm(effect.name, effect.generation, effect.ms, this.autostarting);
        break;
      case 'state': {
        if (effect.to !== 'STOPPING' && effect.to !== 'STARTING' && effect.to !== 'BACKOFF') this.timers.clear('stopwait');
        if (effect.to === 'RUNNING') this.health.start(this.st.generation);
        else if (effect.from === 'RUNNING') this.health.stop();
        const change: StateChange = { process: this, from: effect.from, to: effect.to, snapshot: this.st };
        if (effect.expected !== undefined) change.expected = effect.expected;
        this.host.stateChanged(change);
        this.emit('state', change);
        break;
      }
      case 'log':
        this.host.logger.log(effect.level, effect.message);
        break;
      case 'probe':
        if (effect.action === 'start') this.readiness.start(this.st.pid, effect.generation);
        else {
          this.readiness.stop();
          this.timers.clear('ready');
        }
        break;
    }
  }

  /** reexec: everything the next image needs to drive this process on (see DriverState). */
  exportState(): DriverState {
    return driverState({ state: this.st, deadlines: this.timers.deadlines, io: this.child ? this.io : null, statusText: this.readiness.statusText });
  }

  /**
   * reexec, in the new image: take over the state and the child of the previous one. `child`
   * says when the adopted pid exits; `io` are its pipes, re-wrapped. No state change is
   * announced: nothing changed. Timers left pending fire when they would have.
   */
  adopt(saved: DriverState, child: ChildLike | null, io: ChildIo | null): void {
    this.st = saved.state;
    this.readiness.statusText = saved.statusText;
    for (const t of timersLeft(saved, this.host.os.now())) this.timers.arm(t.name, t.generation, t.ms);
    if (child && io) this.watchChild(child, io);
  }

  /** Cancel every timer (group removal, daemon exit). */
  dispose(): void {
    this.disarm();
    this.timers.clearAll();
    this.readiness.release();
    this.health.stop();
  }

  private environment(): Record<string, string> {
    const extra = this.readiness.env;
    return childEnvironment({
      extra,
      base: this.host.baseEnvironment,
      supervisord: this.host.supervisordEnvironment,
      program: this.config.environment,
      processName: this.config.name,
      groupName: this.groupName,
      // serverurl= other than AUTO is what the child gets (supervisor's get_server_url).
      serverUrl: this.config.serverurl && this.config.serverurl !== 'AUTO' ? this.config.serverurl : this.host.serverUrl,
    });
  }

  /** supervisor checks the command before `start`: NO_FILE / NOT_EXECUTABLE faults. */
  checkCommand(): void {
    resolveCommand(this.config.argv, this.environment(), this.config.commandError);
  }

  private spawn(): void {
    const cfg = this.config;
    const armed = this.armedSpawn.take(cfg, this.host.os);
    if (armed) {
      // prepared by arm(): the readiness check too
      this.watchChild(armed.child, armed.use());
      return this.dispatch({ type: 'spawned', pid: armed.pid });
    }
    const notReady = this.readiness.prepare(cfg.ready);
    if (notReady) return this.dispatch({ type: 'spawnFailed', error: notReady });
    const spawned = spawnChild({
      os: this.host.os,
      logger: this.host.logger,
      config: cfg,
      env: this.environment(),
      listeningSocket: () => this.host.listeningSocket(this),
      readyFd: this.readiness.childFd,
      releaseProbe: () => this.readiness.release(),
      failed: (error) => this.dispatch({ type: 'spawnFailed', error }),
    });
    if (!spawned) return;
    this.watchChild(spawned.child, spawned.pipes.open());
    this.dispatch({ type: 'spawned', pid: spawned.pid });
  }

  /** Capture the child's output and turn its exit into an event (a spawn, or reexec's adoption). */
  private watchChild(child: ChildLike, io: ChildIo): void {
    const cfg = this.config;
    this.child = child;
    this.io = io;
    const { stdin, stdout, stderr } = io;
    this.stdin = stdin;
    // supervisor makes new dispatchers at each spawn, so the log files are opened afresh (a
    // named one for the first time): one removed or moved away since (logrotate without
    // copytruncate) is created again. Queued behind what the last child wrote, ahead of what
    // this one writes. (An adopted child's logs are opened the same way, in append mode.)
    void logsOpening(this.output.reopen(), this.output.logFiles).catch(() => {});
    const drained = this.output.attach(stdout, stderr).catch((err) => {
      this.host.logger.log('error', `${cfg.name}: log capture failed: ${(err as Error).message}`);
    });
    this.drained = drained;
    child.once('exit', (code, signal) => {
      // as supervisor at reap: the child's stdin goes at once, its output after a grace
      stdin?.close();
      if (this.stdin === stdin) this.stdin = null;
      if (this.io === io) this.io = null;
      closePipesSoon([stdout, stderr], drained);
      if (this.child !== child) return;
      this.child = null;
      this.readiness.release();
      flushDeferredRunning();
      this.dispatch({ type: 'exited', code, signal: signal ? signal.replace(/^SIG/, '') : null });
    });
  }

  private killChild(signal: string, group: boolean): void {
    const pid = this.st.pid;
    if (!pid) return;
    this.host.logger.log('debug', `killing ${this.config.name} (pid ${pid}) ${group ? 'process group ' : ''}with signal SIG${signal}`);
    try {
      this.host.os.kill(group ? -pid : pid, signal);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ESRCH') return;
      this.dispatch({ type: 'killFailed', error: (err as Error).message });
    }
  }
}

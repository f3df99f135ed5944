/**
 * The event system: turns what the supervisor reports (process states, groups, its own state,
 * remote messages, output, the clock, and tsupervisor's depends_on= holds and ready= waits) into events, hands each one to the
 * [eventlistener:x] pools, then emits it on the supervisor as `event` (for
 * `tsupervisor.subscribeEvents`).
 */
import type { LogChannel } from '@tsupervisor/protocol';
import type { GroupConfig, ProcessConfig } from '../config/types.js';
import type { Logger } from '../logger.js';
import type { ProcessGroup } from '../process/group.js';
import type { ChildOutput } from '../process/output.js';
import type { StateChange } from '../process/host.js';
import type { Subprocess } from '../process/subprocess.js';
import type { OutputOwner, Supervisor } from '../supervisor.js';
import type { SupervisorEvents } from '../supervisor-events.js';
import { stripAnsi } from '../logs/index.js';
import { filterCommunication } from './comm-capture.js';
import { SerialCounter, SupervisorEvent } from './event.js';
import { ListenerOutput } from './listener-output.js';
import {
  dependencyReleasedBody,
  dependencyWaitingBody,
  processCommunicationBody,
  processGroupBody,
  processLogBody,
  processStateBody,
  readinessWaitingBody,
  remoteCommunicationBody,
  supervisorStateBody,
  tickBody,
  type EventBody,
} from './payload.js';
import { ListenerPool } from './pool.js';
import { exportListeners, restoreListeners, type ListenersState } from './carry.js';
import { Ticker, type TickerClock } from './ticks.js';

/** Events kept for subscribers that reconnect (recentAfter). */
const RECENT_EVENTS = 1000;

export interface EventSystemOptions {
  logger: Logger;
  clock: TickerClock;
}

export class EventSystem {
  private readonly serials = new SerialCounter();
  /** The last RECENT_EVENTS events published (recentAfter). */
  private readonly recent: SupervisorEvent[] = [];
  readonly pools = new Map<string, ListenerPool>();
  /** Events discarded from a full pool buffer since the daemon started (for /metrics). */
  droppedEvents = 0;
  /** The pid of each process's latest child (EXITED and STOPPED report it after the reap). */
  private readonly lastPid = new WeakMap<Subprocess, number>();
  private readonly ticker: Ticker;
  private readonly unsubscribe: Array<() => void> = [];

  constructor(
    private readonly sup: Supervisor,
    private readonly options: EventSystemOptions,
  ) {
    this.ticker = new Ticker(options.clock, (period, when) => this.publish(tickBody(period, when)));
  }

  /** Listen to the supervisor (before it starts its groups) and start the ticks. */
  start(): void {
    this.on('processState', (change) => this.processState(change));
    this.on('groupAdded', (group) => this.groupAdded(group));
    this.on('groupRemoved', (name) => this.groupRemoved(name));
    this.on('state', (state) => this.publish(supervisorStateBody(state === 'RUNNING')));
    this.on('remoteComm', ({ type, data }) => this.publish(remoteCommunicationBody(String(type), String(data))));
    this.on('dependencyWaiting', (p, waitingFor) => this.publish(dependencyWaitingBody(p.name, p.groupName, waitingFor)));
    this.on('dependencyReleased', (p, outcome, reason) => this.publish(dependencyReleasedBody(p.name, p.groupName, outcome, reason)));
    this.ticker.start();
  }

  stop(): void {
    this.ticker.stop();
    for (const off of this.unsubscribe.splice(0)) off();
  }

  publish(body: EventBody): SupervisorEvent {
    const event = new SupervisorEvent(body, this.serials);
    this.recent.push(event);
    if (this.recent.length > RECENT_EVENTS) this.recent.splice(0, this.recent.length - RECENT_EVENTS);
    for (const pool of [...this.pools.values()]) pool.offer(event);
    this.sup.emit('event', event);
    return event;
  }

  /** The last global serial given (reexec carries it: serials go on without gap or repeat). */
  get lastSerial(): number {
    return this.serials.lastGiven;
  }

  /** reexec, in the new image before any event: go on after the previous image's serial. */
  continueSerials(last: number): void {
    this.serials.continueFrom(last);
  }

  /**
   * The recent events a subscriber that last received serial `after` has not seen, in order:
   * those numbered after it, and those nobody took (they have no serial yet, so it did not
   * either). An `events` client reconnecting after a reexec gets what it missed meanwhile.
   */
  recentAfter(after: number): SupervisorEvent[] {
    return this.recent.filter((e) => !e.numbered || e.serial > after);
  }

  /**
   * The output of one process as the daemon should capture it: listeners get their protocol
   * channel on stdout; capture mode filters PROCESS_COMMUNICATION sections out of the log.
   */
  wrapOutput(owner: OutputOwner, inner: ChildOutput): ChildOutput {
    const { process: pc, group } = owner;
    const listener = group.kind === 'eventlistener';
    const stdoutCapture = listener ? 0 : pc.stdout.captureMaxbytes;
    // redirect_stderr: supervisor reads both from one pipe, the stdout one
    const stderrChannel: LogChannel = pc.redirectStderr ? 'stdout' : 'stderr';
    const stderrCapture = pc.redirectStderr ? stdoutCapture : pc.stderr.captureMaxbytes;
    let output = inner;
    if (stdoutCapture > 0 || stderrCapture > 0) {
      // read at each event: update may move the process to another group while it runs
      const comm = (channel: LogChannel) => (data: Buffer) => this.communication(owner.process, owner.group, channel, data);
      output = withAttach(inner, (stdout, stderr) =>
        inner.attach(
          stdout && stdoutCapture > 0 ? filterCommunication(stdout, stdoutCapture, comm('stdout')) : stdout,
          stderr && stderrCapture > 0 ? filterCommunication(stderr, stderrCapture, comm(stderrChannel)) : stderr,
        ),
      );
    }
    return listener ? new ListenerOutput(output, pc.name, this.options.logger) : output;
  }

  /** A chunk of output as logged: PROCESS_LOG_* when the channel has events enabled. */
  logged(pc: ProcessConfig, group: GroupConfig, channel: LogChannel, data: Buffer): void {
    if (!this.wantsLogged(pc, group, channel)) return;
    this.publish(processLogBody({ processname: pc.name, groupname: group.name, pid: this.pidOf(pc, group), channel, data }));
  }

  /** Whether logged() makes an event of the channel's output. */
  wantsLogged(pc: ProcessConfig, group: GroupConfig, channel: LogChannel): boolean {
    if (channel === 'stdout' && group.kind === 'eventlistener') return false;
    return channel === 'stdout' ? pc.stdout.eventsEnabled : pc.stderr.eventsEnabled;
  }

  private communication(pc: ProcessConfig, group: GroupConfig, channel: LogChannel, raw: Buffer): void {
    const data = this.sup.config.supervisord.stripAnsi ? stripAnsi(raw) : raw;
    this.publish(processCommunicationBody({ processname: pc.name, groupname: group.name, pid: this.pidOf(pc, group), channel, data }));
    this.options.logger.log('debug', `'${pc.name}' ${channel} emitted a comm event`);
  }

  private pidOf(pc: ProcessConfig, group: GroupConfig): number {
    return this.sup.groups.get(group.name)?.get(pc.name)?.pid ?? 0;
  }

  /** reexec: the pools' and listeners' state for the next image (events/carry.ts). */
  exportListeners(): ListenersState {
    return exportListeners(this.pools);
  }

  /** reexec, once the listeners' processes are adopted. */
  restoreListeners(state: ListenersState): void {
    restoreListeners(state, this.pools, this.serials, (namespec) => this.sup.allLexical().find((p) => p.namespec === namespec) ?? null);
  }

  /** reexec: the adopted processes' pids, which their EXITED/STOPPED events report after the reap. */
  rememberPids(): void {
    for (const p of this.sup.allLexical()) if (p.pid > 0) this.lastPid.set(p, p.pid);
  }

  private processState(change: StateChange): void {
    const p = change.process;
    const { pid: now, backoff } = change.snapshot;
    if (now > 0) this.lastPid.set(p, now);
    const reaped = change.to === 'EXITED' || (change.to === 'STOPPED' && change.from === 'STOPPING');
    const pid = now > 0 ? now : reaped ? (this.lastPid.get(p) ?? 0) : 0;
    this.publish(
      processStateBody({
        processname: p.name,
        groupname: p.groupName,
        from: change.from,
        to: change.to,
        expected: change.expected ?? true,
        pid,
        tries: backoff,
      }),
    );
    // what the new spawn waits for before RUNNING (the check it was spawned with: same turn)
    const check = p.config.ready;
    if (change.to === 'STARTING' && check) this.publish(readinessWaitingBody(p.name, p.groupName, p.config.readyTimeout, check.text));
    if (change.to === 'RUNNING') this.pools.get(p.groupName)?.dispatch();
  }

  private groupAdded(group: ProcessGroup): void {
    if (group.config.kind === 'eventlistener') {
      this.pools.get(group.name)?.dispose();
      this.pools.set(group.name, new ListenerPool(group, { identifier: this.sup.config.supervisord.identifier, logger: this.options.logger, onDropped: () => this.droppedEvents++ }));
    }
    this.publish(processGroupBody(true, group.name));
  }

  private groupRemoved(name: string): void {
    this.pools.get(name)?.dispose();
    this.pools.delete(name);
    this.publish(processGroupBody(false, name));
  }

  private on<K extends keyof SupervisorEvents>(name: K, listener: (...args: SupervisorEvents[K]) => void): void {
    // the callers are checked against the map by this signature; node's types cannot narrow a generic K
    const l = listener as never;
    this.sup.on(name, l);
    this.unsubscribe.push(() => this.sup.off(name, l));
  }
}

/** `inner` with another way of attaching a spawn's pipes. */
function withAttach(inner: ChildOutput, attach: ChildOutput['attach']): ChildOutput {
  return {
    get stdoutPath() {
      return inner.stdoutPath;
    },
    get stderrPath() {
      return inner.stderrPath;
    },
    attach,
    read: (channel, offset, length) => inner.read(channel, offset, length),
    tail: (channel, offset, length) => inner.tail(channel, offset, length),
    head: inner.head && ((channel, bytes) => inner.head!(channel, bytes)),
    clear: () => inner.clear(),
    reopen: (signal) => inner.reopen(signal),
    close: () => inner.close(),
  };
}

/**
 * The supervisor: the set of running process groups, built from the configuration, and the
 * operations on them that outlive one RPC (add, remove, reread, ordered shutdown, restart).
 */
import { EventEmitter } from 'node:events';
import { ErrorCodes, Faults, RPCFault, hasCode, splitNamespec, type ReloadResult, type SupervisorStateName } from '@tsupervisor/protocol';
import { ConfigError } from './config/errors.js';
import type { Config, FcgiSocketConfig, GroupConfig, ProcessConfig } from './config/types.js';
import type { Logger } from './logger.js';
import type { OsSeam } from './os-seam.js';
import { daemonEnvironment } from './process/environment.js';
import { ProcessGroup } from './process/group.js';
import type { ChildOutput, OutputOwner } from './process/output.js';
import type { ProcessHost, StateChange } from './process/host.js';
import { Subprocess } from './process/subprocess.js';
import { isStoppedState } from './process/transition.js';
import { becameReady } from './process/dependencies.js';
import { essentialFailure } from './process/essential.js';
import { StartGate } from './process/start-gate.js';
import { holdingExecs } from './process/exec-batch.js';
import type { FcgiSocket, HandedFd } from './sockets/fcgi-socket.js';
import { SocketOwner } from './sockets/socket-owner.js';
import { diffGroups } from './update/diff.js';
import type { SupervisorEvents } from './supervisor-events.js';

export interface SupervisorDeps {
  os: OsSeam;
  logger: Logger;
  /** Reads and validates the configuration file (throws ConfigError). */
  readConfig(): Config;
  /** `process` and `group` are the ones at creation; `owner` tells where the process is now. */
  createOutput(process: ProcessConfig, group: GroupConfig, config: Config, owner: OutputOwner): ChildOutput;
}

export type { OutputOwner };

export interface Found {
  group: ProcessGroup;
  process: Subprocess | null;
}

/** Its events: supervisor-events.ts. */
export class Supervisor extends EventEmitter<SupervisorEvents> {
  /** The supervisor's own state, as getState and SUPERVISOR_STATE_CHANGE name it. */
  state: SupervisorStateName = 'RUNNING';
  readonly groups = new Map<string, ProcessGroup>();
  /** The fcgi sockets: created, shared, kept across update and reload, closed (sockets/socket-owner.ts). */
  readonly sockets: SocketOwner;
  /** The configuration most recently read (reread/update use it). */
  latest: Config;
  /** The group each process is in (update moves processes between groups). */
  private readonly homes = new WeakMap<Subprocess, ProcessGroup>();
  /** depends_on=: holds a process until what it depends on is there. */
  readonly gate: StartGate;

  constructor(public config: Config, private readonly deps: SupervisorDeps) {
    super();
    this.setMaxListeners(0);
    this.latest = config;
    this.sockets = new SocketOwner((level, message) => deps.logger.log(level, message));
    this.gate = new StartGate(this);
    // essential=true: its failure for good ends the daemon ('essentialFailed', main.ts exits)
    this.on('processState', (c) => this.essential(essentialFailure(c.process.namespec, c.process.config, c)));
    this.on('dependencyFailed', (p, reason) => {
      if (p.config.essential) this.essential(`essential program ${p.namespec} cannot start: ${reason}`);
    });
  }

  private essential(why: string | null): void {
    if (why && this.state === 'RUNNING') this.emit('essentialFailed', why);
  }

  get logger(): Logger {
    return this.deps.logger;
  }

  now(): number {
    return this.deps.os.now();
  }

  /** Build every group and autostart, groups ascending by priority. */
  start(beforeAutostart?: () => void): void {
    this.startGroups(this.config.groups, beforeAutostart);
  }

  /**
   * As supervisord.run: add every group, announce RUNNING (SUPERVISOR_STATE_CHANGE_RUNNING
   * comes after the PROCESS_GROUP_ADDED events), then autostart.
   */
  private startGroups(configs: GroupConfig[], beforeAutostart?: () => void): void {
    const groups = sortByPriority(configs).map((gc) => this.addGroupFrom(gc, false));
    beforeAutostart?.(); // reexec: the previous image's processes are adopted here
    this.state = 'RUNNING';
    this.emit('state', this.state);
    holdingExecs(() => {
      for (const group of groups) for (const p of group.byPriority()) this.gate.autostart(p);
    });
  }

  // ---- lookup ------------------------------------------------------------------------

  /** Resolve `group:process`, `group:*`, `group:` or `name` (supervisor's split_namespec). */
  find(namespec: string): Found {
    const [groupName, processName] = splitNamespec(namespec);
    const group = this.groups.get(groupName);
    if (!group) throw new RPCFault(Faults.BAD_NAME, namespec);
    if (processName === null) return { group, process: null };
    const process = group.get(processName);
    if (!process) throw new RPCFault(Faults.BAD_NAME, namespec);
    return { group, process };
  }

  findProcess(namespec: string): Subprocess {
    const found = this.find(namespec);
    if (!found.process) throw new RPCFault(Faults.BAD_NAME, namespec);
    return found.process;
  }

  /** Every process, groups by name then processes by name (status order). */
  allLexical(): Subprocess[] {
    return [...this.groups.keys()].sort().flatMap((name) => this.groups.get(name)!.lexical());
  }

  /** Every process, groups ascending by priority then processes by priority. */
  allByPriority(): Subprocess[] {
    return sortGroups([...this.groups.values()]).flatMap((g) => g.byPriority());
  }

  // ---- groups ------------------------------------------------------------------------

  /** addProcessGroup: from the configuration most recently read. */
  addGroup(name: string): void {
    if (this.groups.has(name)) throw new RPCFault(Faults.ALREADY_ADDED, name);
    const gc = this.latest.groups.find((g) => g.name === name);
    if (!gc) throw new RPCFault(Faults.BAD_NAME, name);
    this.addGroupFrom(gc);
  }

  private addGroupFrom(gc: GroupConfig, autostart = true): ProcessGroup {
    const group = new ProcessGroup(gc, this.socketFor(gc));
    for (const pc of gc.processes) group.processes.push(this.createProcess(group, pc));
    this.installGroup(group);
    if (autostart && this.state === 'RUNNING') {
      holdingExecs(() => {
        for (const p of group.byPriority()) this.gate.autostart(p);
      });
    }
    return group;
  }

  /** The fcgi socket for a group's config (sockets/socket-owner.ts). */
  socketFor(gc: GroupConfig): FcgiSocket | null {
    return this.sockets.forGroup(gc);
  }

  /** reexec: an fcgi socket (or socket_drain pool) the previous image listened on, kept by fd (before start()). */
  adoptSocket(config: FcgiSocketConfig, fds: readonly HandedFd[]): void {
    this.sockets.adopt(config, fds);
  }

  /** reexec, before the processes are adopted: each socket_drain socket goes back to its worker. */
  adoptSocketHolders(): void {
    this.sockets.adoptHolders((namespec) => {
      try {
        return this.findProcess(namespec);
      } catch {
        return null;
      }
    });
  }

  /** reexec: the open fcgi sockets (their fds go to the next image). */
  openSockets(): FcgiSocket[] {
    return this.sockets.openSockets();
  }

  /** A new, stopped process of `group`, with its output. */
  createProcess(group: ProcessGroup, pc: ProcessConfig): Subprocess {
    const owner = new Owner(this.homes, pc, group);
    const p = new Subprocess(pc, group.name, this.deps.createOutput(pc, group.config, this.latest, owner), this.host(group));
    owner.subprocess = p;
    this.homes.set(p, group);
    return p;
  }

  /** update: a process moves into `group` (a [group:x] edit) with its new settings, still running. */
  adoptProcess(group: ProcessGroup, p: Subprocess, pc: ProcessConfig): void {
    p.rehome(group.name, this.host(group));
    p.reconfigure(pc);
    this.homes.set(p, group);
  }

  /** Register a built group (addProcessGroup's log line and event). */
  installGroup(group: ProcessGroup): void {
    this.groups.set(group.name, group);
    this.setGroupConfig(group, group.config);
    this.logger.log('debug', `added process group ${group.name}`);
    this.emit('groupAdded', group);
  }

  /** Record a group's (new) settings: update changes a group in place. */
  setGroupConfig(group: ProcessGroup, gc: GroupConfig): void {
    group.config = gc;
    this.config = { ...this.config, groups: [...this.config.groups.filter((g) => g.name !== gc.name), gc] };
  }

  /** removeProcessGroup: only a group whose processes are all stopped. */
  async removeGroup(name: string, options: { keepSocket?: boolean } = {}): Promise<void> {
    const group = this.groups.get(name);
    if (!group) throw new RPCFault(Faults.BAD_NAME, name);
    if (group.unstopped().length > 0) throw new RPCFault(Faults.STILL_RUNNING, name);
    this.groups.delete(name);
    this.config = { ...this.config, groups: this.config.groups.filter((g) => g.name !== name) };
    for (const p of group.processes) {
      p.dispose();
      await p.output.close();
    }
    if (group.socket && !options.keepSocket) this.releaseUnusedSockets();
    this.logger.log('debug', `removed process group ${name}`);
    this.emit('groupRemoved', name);
  }

  /** Close every fcgi socket that no group holds (after a removal, an update or a reload). */
  releaseUnusedSockets(): void {
    this.sockets.closeUnused([...this.groups.values()].map((g) => g.socket));
  }

  /** reloadConfig: read the files again; compare with the running groups. Touches no process. */
  reloadConfig(): ReloadResult {
    let next: Config;
    try {
      next = this.deps.readConfig();
    } catch (err) {
      // A missing file is supervisor's own words, which name it already (no file:line prefix).
      const missing = err instanceof ConfigError && hasCode(err, ErrorCodes.CONFIG_NOT_FOUND);
      throw new RPCFault(Faults.CANT_REREAD, missing ? err.reason : String((err as Error).message ?? err));
    }
    this.latest = next;
    return diffGroups([...this.groups.values()].map((g) => g.config), next.groups, true);
  }

  // ---- stopping ----------------------------------------------------------------------

  /** Stop the given processes at once; resolves when all are stopped and drained. */
  async stopProcesses(processes: Subprocess[]): Promise<void> {
    const running = processes.filter((p) => !isStoppedState(p.state));
    for (const p of running) p.stop();
    await Promise.all(running.map((p) => p.stopped()));
  }

  /**
   * Stop groups one at a time, descending priority (supervisor's shutdown order); with
   * depends_on=, a process stops only once what depends on it has stopped.
   */
  async stopAllInOrder(): Promise<void> {
    // supervisord's shutdown_report: the unstopped processes named at once, then every 3 s.
    const report = () => {
      const names = [...this.groups.values()].flatMap((g) => g.unstopped().map((p) => p.name));
      if (names.length > 0) this.logger.log('info', `waiting for ${names.join(', ')} to die`);
    };
    report();
    const timer = setInterval(report, 3000);
    try {
      const inOrder = this.gate.inUse() ? this.gate.stopAfterDependents(this.allByPriority(), (p) => this.stopProcesses([p])) : null;
      for (const group of sortGroups([...this.groups.values()]).reverse()) {
        const procs = group.byPriority().reverse();
        await (inOrder ? Promise.all(procs.map(inOrder)) : this.stopProcesses(procs));
      }
    } finally {
      clearInterval(timer);
    }
  }

  /** Shutdown: nothing restarts; stop everything in order; close sockets and logs. */
  async shutdown(): Promise<void> {
    if (this.state === 'SHUTDOWN') return;
    this.setState('SHUTDOWN');
    await this.stopAllInOrder();
    for (const name of [...this.groups.keys()]) await this.removeGroup(name);
    this.releaseUnusedSockets();
  }

  /**
   * Restart (SIGHUP, `reload`): stop everything and start again from `next`, the configuration
   * read from scratch. The caller reads it first, so a configuration that no longer reads is
   * refused before anything stops (supervisord stops everything, then dies on it). fcgi sockets
   * whose address did not change stay open throughout.
   */
  async restart(next: Config, beforeStart?: () => void): Promise<void> {
    if (this.state !== 'RUNNING') return;
    this.setState('RESTARTING');
    await this.stopAllInOrder();
    for (const name of [...this.groups.keys()]) await this.removeGroup(name, { keepSocket: true });
    beforeStart?.();
    this.config = { ...next, groups: [] };
    this.latest = next;
    this.startGroups(next.groups);
    this.releaseUnusedSockets();
  }

  private setState(state: SupervisorStateName): void {
    this.state = state;
    if (state !== 'RUNNING') this.gate.clear();
    this.emit('state', state);
  }

  // ---- the host a process sees --------------------------------------------------------

  private host(group: ProcessGroup): ProcessHost {
    const unix = this.config.unixHttpServer;
    const inet = this.config.inetHttpServer;
    // supervisor's options.serverurl: the unix socket, else the inet server, else none.
    const serverUrl = unix ? `unix://${unix.file}` : inet ? `http://${inet.host || 'localhost'}:${inet.portNumber}` : null;
    return new GroupHost(this, group, serverUrl, this.deps.os, this.deps.logger);
  }
}

/*
 * Classes rather than object literals of closures: the supervisor makes one of each per process
 * and keeps it for the process's life (a daemon may run thousands).
 */

/** The process and group a process's output belongs to now (update may move it into a [group:x]). */
class Owner implements OutputOwner {
  subprocess: Subprocess | null = null;

  constructor(
    private readonly homes: WeakMap<Subprocess, ProcessGroup>,
    private readonly initial: ProcessConfig,
    private readonly home: ProcessGroup,
  ) {}

  get process(): ProcessConfig {
    return this.subprocess?.config ?? this.initial;
  }

  get group(): GroupConfig {
    return (this.subprocess && this.homes.get(this.subprocess)?.config) ?? this.home.config;
  }
}

/** What a process sees of its group and the supervisor. */
class GroupHost implements ProcessHost {
  readonly supervisordEnvironment: Record<string, string>;
  readonly baseEnvironment = daemonEnvironment();

  constructor(
    private readonly sup: Supervisor,
    private readonly group: ProcessGroup,
    readonly serverUrl: string | null,
    readonly os: OsSeam,
    readonly logger: Logger,
  ) {
    this.supervisordEnvironment = sup.config.supervisord.environment;
  }

  autoStartAllowed(): boolean {
    return this.sup.state === 'RUNNING';
  }

  hasListeningSocket(): boolean {
    return this.group.socket !== null;
  }

  listeningSocket(p: Subprocess): { fd: number; pass: 'stdin' | 'listen_fds'; name: string } | null {
    const socket = this.group.socket;
    if (!socket) return null;
    return { fd: socket.take(p), pass: socket.config.pass, name: this.group.name };
  }

  /** socket_drain: hold the stop signal until the worker holds no request (bounded by stopwaitsecs). */
  drainBeforeStop(p: Subprocess, pid: number): Promise<unknown> | null {
    return this.group.socket?.drain(p, pid, p.config.stopwaitsecs * 1000) ?? null;
  }

  stateChanged(change: StateChange): void {
    // a worker that is gone (or never got going) gives back the socket it held
    if (change.to !== 'STARTING' && change.to !== 'RUNNING' && change.to !== 'STOPPING') this.group.socket?.release(change.process);
    this.sup.emit('processState', change);
    // the typed readiness event: fired here only (process/dependencies.ts says when)
    if (becameReady(change)) this.sup.emit('ready', change.process);
  }
}

function sortByPriority(groups: GroupConfig[]): GroupConfig[] {
  return [...groups].sort((a, b) => a.priority - b.priority);
}

function sortGroups(groups: ProcessGroup[]): ProcessGroup[] {
  return [...groups].sort((a, b) => a.priority - b.priority);
}

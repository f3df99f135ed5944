/**
 * A process's log files: one per channel (AUTO, NONE or a path), rotated as configured, kept
 * across restarts of the process (like supervisor), fed by captureOutput with backpressure.
 * A file is open only while the process's pipes are: opened at the spawn (reopen), released
 * once every capture of the spawn has ended; reads and tails go by path.
 * A channel with `*_syslog=true` also sends each chunk to syslog, `NAME LINE` per line
 * (logs/syslog.ts), whatever its file target.
 * A channel whose bytes nothing but its file needs is spliced pipe → file by the kernel
 * (logs/capture.ts); whoever comes to need them (a live follower: outputFollowed; a
 * `ready=log:` check: watch) makes its captures read again first.
 */
import { Faults, RPCFault, type LogChannel } from '@tsupervisor/protocol';
import type { LogConfig, ProcessConfig } from '../config/types.js';
import type { Logger } from '../logger.js';
import { decodeData } from '../events/payload.js';
import { autoLogMade, autoLogPath, Capture, takeCarriedAutoLog, readLog, RotatingFile, tailLog, type CaptureListener, type CaptureOptions, type LogHead, type OutputStream, type RotatingFileReporter } from '../logs/index.js';
import { childOutputLines, Syslog } from '../logs/syslog.js';
import type { ChildOutput, OutputOwner } from './output.js';

/** What every process's logs share (one object per configuration, not per process). */
export interface ChildLogShared {
  childlogdir: string;
  identifier: string;
  stripAnsi: boolean;
  logger: Logger;
  /** Every chunk as logged, for followers and events; `owner` says whose it is now. */
  onData(owner: OutputOwner, channel: LogChannel, chunk: Buffer): void;
  /** Whether onData has anything to do with `owner`'s `channel` now (else it may be spliced). */
  wantsData(owner: OutputOwner, channel: LogChannel): boolean;
}

/** The name a process's output is published under on the LogBus (as `tail -f` names it). */
export function outputName(owner: OutputOwner): string {
  const { process: pc, group } = owner;
  return group.name === pc.name ? pc.name : `${group.name}:${pc.name}`;
}

/** The logs with a capture splicing now. */
const splicingLogs = new Set<ChildLogs>();

/** Every capture splicing now, with where it splices (reexec's pump: reexec/pump.ts). */
export function splicingChannels(): Array<{ fd: number; path: string; limit: number }> {
  const out: Array<{ fd: number; path: string; limit: number }> = [];
  for (const logs of splicingLogs) for (const c of logs.splicingCaptures) {
    const h = c.spliceHandOver();
    if (h) out.push(h);
  }
  return out;
}

/**
 * Someone started following `name`'s `channel` live (the LogBus's first subscriber): its
 * captures read again from now on, so that the follower gets every byte after this moment.
 */
export function outputFollowed(name: string, channel: LogChannel): void {
  for (const logs of [...splicingLogs]) if (outputName(logs.owner) === name) logs.stopSplicing(channel);
}

function openLog(cfg: LogConfig, channel: LogChannel, processName: string, groupName: string, o: ChildLogShared, reporter: RotatingFileReporter): RotatingFile | null {
  let path: string;
  switch (cfg.target.kind) {
    case 'none':
    case 'syslog':
      return null;
    case 'auto':
      try {
        // after a reexec, the file it had
        path = takeCarriedAutoLog(groupName, processName, channel) ?? autoLogPath(o.childlogdir, processName, channel, o.identifier);
      } catch (err) {
        o.logger.log('error', `${processName}: cannot create ${channel} log in ${o.childlogdir}: ${(err as Error).message}`);
        return null;
      }
      break;
    case 'path':
      path = cfg.target.path;
      break;
  }
  return new RotatingFile(path, {
    maxbytes: cfg.maxbytes,
    backups: cfg.backups,
    // opened at each spawn and released when the spawn's pipes close, as supervisor makes its
    // dispatchers per spawn: a program that is not running holds no descriptor. A named file
    // is made at the first spawn; an AUTO one exists from the start (autoLogPath makes it).
    lazy: true,
    reporter,
    made: autoLogMade(path),
  });
}

/** Capture options by strip_ansi (1) and log_timestamps (2). */
const CAPTURE_OPTIONS: readonly CaptureOptions[] = [{}, { stripAnsi: true }, { timestamps: true }, { stripAnsi: true, timestamps: true }];

/** One sender for every child (its trouble is reported once, to the main log). */
let childSyslog: Syslog | null = null;
let syslogReporter: Logger | null = null;

function syslogFor(logger: Logger): Syslog {
  syslogReporter = logger;
  childSyslog ??= new Syslog({ report: (m) => syslogReporter?.log('warn', m) });
  return childSyslog;
}

/**
 * A process's logs. A class rather than an object of closures: the daemon keeps one per
 * process for the process's life, and a daemon may run thousands.
 */
export class ChildLogs implements ChildOutput, RotatingFileReporter {
  readonly stdoutPath: string;
  readonly stderrPath: string;
  private readonly stdout: RotatingFile | null;
  private readonly stderr: RotatingFile | null;
  private readonly syslogOut: Syslog | null;
  private readonly syslogErr: Syslog | null;
  /** The captures running (null when none runs). */
  private captures: Capture[] | null = null;

  /** `listener`: an event listener, whose stdout is the protocol channel (supervisor sends it to no syslog). */
  constructor(
    private readonly cfg: ProcessConfig,
    listener: boolean,
    readonly owner: OutputOwner,
    private readonly shared: ChildLogShared,
  ) {
    this.stdout = openLog(cfg.stdout, 'stdout', cfg.name, owner.group.name, shared, this);
    this.stderr = cfg.redirectStderr ? null : openLog(cfg.stderr, 'stderr', cfg.name, owner.group.name, shared, this);
    this.stdoutPath = this.stdout?.path ?? '';
    this.stderrPath = this.stderr?.path ?? '';
    // redirect_stderr: stderr arrives on the stdout channel, so stdout_syslog decides (as supervisor)
    this.syslogOut = cfg.stdout.syslog && !listener ? syslogFor(shared.logger) : null;
    this.syslogErr = cfg.stderr.syslog ? syslogFor(shared.logger) : null;
  }

  /** @internal The options of this process's captures (shared: one object per combination). */
  get captureOptions(): CaptureOptions {
    return CAPTURE_OPTIONS[(this.shared.stripAnsi ? 1 : 0) + (this.cfg.logTimestamps ? 2 : 0)]!;
  }

  attach(out: OutputStream | null, err: OutputStream | null): Promise<void> {
    const redirect = this.cfg.redirectStderr;
    return new Promise((resolve) => {
      const spawn = new SpawnCaptures(this, resolve);
      spawn.add(out, 'stdout', this.stdout);
      spawn.add(err, redirect ? 'stdout' : 'stderr', redirect ? this.stdout : this.stderr);
      spawn.start();
    });
  }

  read(channel: LogChannel, offset: number, length: number): Promise<string> {
    const path = this.pathOf(channel);
    return autoLogMade(path).then(() => readLog(path, offset, length));
  }

  // supervisor: no file (NONE, redirected stderr) tails as ['', 0, false], unlike read (NO_FILE)
  tail(channel: LogChannel, offset: number, length: number): Promise<{ bytes: string; offset: number; overflow: boolean }> {
    const path = this.fileOf(channel)?.path ?? null;
    return (path === null ? Promise.resolve() : autoLogMade(path)).then(() => tailLog(path, offset, length));
  }

  head(channel: LogChannel, bytes: number): Promise<LogHead> {
    const file = this.fileOf(channel);
    if (!file) return Promise.reject(new RPCFault(Faults.NO_FILE, this.cfg.name));
    // output already read (and followed) but not yet handed to the file goes there first
    for (const c of this.captures ?? []) if (c.sink === file) c.cut();
    return file.head(bytes).then((head) => {
      if (!head) throw new RPCFault(Faults.NO_FILE, file.path);
      return head;
    });
  }

  /** Bytes written to the channel's log file since the process was created; null: no file. */
  writtenBytes(channel: LogChannel): number | null {
    return this.fileOf(channel)?.writtenBytes ?? null;
  }

  async clear(): Promise<void> {
    await Promise.all([this.stdout?.clear(), this.stderr?.clear()]);
  }

  get logFiles(): number {
    return (this.stdout ? 1 : 0) + (this.stderr ? 1 : 0);
  }

  async reopen(signal = false): Promise<void> {
    await Promise.all([this.stdout?.reopen({ ifOpened: signal }), this.stderr?.reopen({ ifOpened: signal })]);
  }

  async close(): Promise<void> {
    await Promise.all([this.stdout?.close(), this.stderr?.close()]);
  }

  private fileOf(channel: LogChannel): RotatingFile | null {
    return channel === 'stdout' ? this.stdout : this.stderr;
  }

  private pathOf(channel: LogChannel): string {
    const f = this.fileOf(channel);
    if (!f) throw new RPCFault(Faults.NO_FILE, this.cfg.name);
    return f.path;
  }

  /** @internal A log file cannot be written (once per incident). */
  fileFailed(err: NodeJS.ErrnoException, file: RotatingFile): void {
    this.shared.logger.log('error', `${this.cfg.name}: cannot write ${this.channelOf(file)} log ${file.path}: ${err.message}`);
  }

  /** @internal The log file is written again. */
  fileRecovered(dropped: number, file: RotatingFile): void {
    this.shared.logger.log('warn', `${this.cfg.name}: ${this.channelOf(file)} log ${file.path} writable again; ${dropped} bytes were lost`);
  }

  private channelOf(file: RotatingFile): LogChannel {
    return file === this.stderr ? 'stderr' : 'stdout';
  }

  /** @internal A capture of the current spawn started (SpawnCaptures). */
  started(capture: Capture): void {
    (this.captures ??= []).push(capture);
  }

  /** @internal A capture ended; once none runs, the files' descriptors go (see release). */
  ended(capture: Capture): void {
    const left = this.captures?.filter((c) => c !== capture) ?? [];
    this.captures = left.length > 0 ? left : null;
    if (!this.captures) this.release();
  }

  /** No spawn's pipes are open: close the files (reopened at the next spawn). */
  release(): void {
    if (this.captures) return;
    void this.stdout?.release();
    void this.stderr?.release();
  }

  /** Watchers of the stdout chunks (ready=log:REGEX while STARTING); null when none. */
  private watchers: Set<(chunk: Buffer) => void> | null = null;
  /** Captures splicing now. */
  private splicing: Set<Capture> | null = null;

  /** @internal Whether a capture's bytes are needed by more than its file (see Capture). */
  wantsBytes(channel: LogChannel): boolean {
    if (this.watchers && channel === 'stdout') return true;
    if (channel === 'stdout' ? this.syslogOut : this.syslogErr) return true;
    return this.shared.wantsData(this.owner, channel);
  }

  /** @internal A capture started or stopped splicing. */
  spliceChanged(capture: Capture, on: boolean): void {
    if (on) (this.splicing ??= new Set()).add(capture);
    else this.splicing?.delete(capture);
    if (this.splicing?.size) splicingLogs.add(this);
    else {
      this.splicing = null;
      splicingLogs.delete(this);
    }
  }

  /** @internal The captures splicing now. */
  get splicingCaptures(): Iterable<Capture> {
    return this.splicing ?? [];
  }

  /** The channel's captures read again: its bytes are needed from now on. */
  stopSplicing(channel: LogChannel): void {
    for (const c of [...(this.splicing ?? [])]) if (c.channel === channel) c.stopSplicing();
  }

  watch(fn: (chunk: Buffer) => void): () => void {
    this.stopSplicing('stdout');
    (this.watchers ??= new Set()).add(fn);
    return () => {
      this.watchers?.delete(fn);
      if (this.watchers?.size === 0) this.watchers = null;
    };
  }

  /** @internal A chunk as logged. */
  logged(channel: LogChannel, chunk: Buffer): void {
    if (this.watchers && channel === 'stdout') for (const fn of [...this.watchers]) fn(chunk);
    const syslog = channel === 'stdout' ? this.syslogOut : this.syslogErr;
    syslog?.send(childOutputLines(this.cfg.name, chunk));
    this.shared.onData(this.owner, channel, chunk);
  }
}

/** One spawn's captures: tells its ChildLogs of each chunk and resolves once all have ended. */
class SpawnCaptures implements CaptureListener {
  /** Made by add(), started together by start() (an end cannot come before the last is added). */
  private made: Capture[] | null = [];
  private left = 0;

  constructor(
    private readonly logs: ChildLogs,
    private readonly resolve: () => void,
  ) {}

  add(stream: OutputStream | null, channel: LogChannel, sink: RotatingFile | null): void {
    if (!stream) return;
    this.made?.push(new Capture(stream, sink, this.logs.captureOptions, this, channel));
  }

  start(): void {
    const captures = this.made ?? [];
    this.made = null;
    this.left = captures.length;
    if (this.left === 0) {
      this.logs.release();
      return this.resolve();
    }
    for (const c of captures) this.logs.started(c);
    for (const c of captures) c.start();
  }

  captured(capture: Capture, chunk: Buffer): void {
    this.logs.logged(capture.channel, chunk);
  }

  wantsBytes(capture: Capture): boolean {
    return this.logs.wantsBytes(capture.channel);
  }

  splicing(capture: Capture, on: boolean): void {
    this.logs.spliceChanged(capture, on);
  }

  captureEnded(capture: Capture): void {
    this.logs.ended(capture);
    if (--this.left === 0) this.resolve();
  }
}

/**
 * supervisor's log_to_mainlog: at loglevel debug (or lower) every chunk a child writes is also
 * a DEBG line of the main log, `'name' stdout output:` then the data (Python's repr of the bytes
 * when they are not UTF-8), whether or not the channel has a log file.
 */
export function outputEcho(processName: string, channel: LogChannel, chunk: Buffer): string {
  return `'${processName}' ${channel} output:\n${decodeData(chunk)}`;
}

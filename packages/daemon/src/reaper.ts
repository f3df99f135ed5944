/**
 * The one place where the daemon's children are reaped. libuv reaps only the children that
 * child_process spawned (exec probes, reexec's preflight); every other child is reaped here:
 * - the programs, spawned by the native layer without libuv (native/processes.ts spawnProcess),
 *   and those a reexec'd image took over from the previous one (reexec/adopt.ts): `watchChild`
 *   gives each an 'exit' event, as a ChildProcess has;
 * - in container PID 1 mode (`startReaper`), orphans: the daemon makes itself a child
 *   subreaper, so processes orphaned by its programs (a double-forked grandchild, the children
 *   of a program that died) become its children instead of init's, and it reaps them as an
 *   init must.
 *
 * The one rule: never wait for a pid that child_process owns, or its 'exit' event is lost.
 * Every ChildProcess spawned in this process is therefore recorded (ChildProcess.prototype.spawn
 * is wrapped once, before the first spawn) until its 'exit', which libuv emits in the same turn
 * as it reaps it. On SIGCHLD (and every few seconds, in case signals were merged) the exited
 * children are peeked at, oldest first, without reaping them (waitid WNOWAIT), and reaped with
 * waitpid(pid) when they are not child_process's: the cost is per exit, not per child. A
 * child_process zombie not yet reaped by libuv hides those behind it: the peek is retried after
 * libuv has had its turn, and, if it still hides them, each of ours is waited for by pid.
 */
import { ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import type { Logger } from './logger.js';
import { peekChild, reapPid, setChildSubreaper, type ReapResult } from './native/index.js';
import type { ChildLike } from './process/adoption.js';

/** Pids spawned through child_process that libuv has not reaped yet. */
const owned = new Set<number>();
/** Our own children (programs, adopted ones) still running: their exit is emitted here. */
const watched = new Map<number, EventEmitter>();
/** Claimed children (reexec) that exited before they were watched: their exit, to emit then. */
const exitedEarly = new Map<number, [number | null, string | null]>();
let tracking = false;
let listening = false;
/** Set by startReaper: orphans are reaped in any case, said in the main log at debug level. */
let orphanLogger: Logger | null = null;
let failing = false;
/** Peeks retried in a row because a child_process zombie came first. */
let blockedRetries = 0;
const BLOCKED_RETRIES = 3;
const SWEEP_MS = 5000;

/**
 * Record every child_process spawn from now on. Call before the first spawn; idempotent.
 * (spawn, exec, execFile and fork all go through ChildProcess.prototype.spawn.)
 */
export function trackChildProcesses(): void {
  if (tracking) return;
  tracking = true;
  const proto = ChildProcess.prototype as unknown as { spawn: (this: ChildProcess, ...args: unknown[]) => unknown };
  const spawn = proto.spawn;
  proto.spawn = function (this: ChildProcess, ...args: unknown[]) {
    const result = spawn.apply(this, args);
    if (this.pid !== undefined) {
      owned.add(this.pid);
      this.on('exit', forgetChild); // one shared listener: no closure kept per child
    }
    return result;
  };
}

function forgetChild(this: ChildProcess): void {
  if (this.pid !== undefined) owned.delete(this.pid);
}

/** Whether child_process owns `pid` (spawned and not yet reaped by libuv). */
export function ownsChildProcess(pid: number): boolean {
  return owned.has(pid);
}

/**
 * A child of ours that libuv does not know (a native spawn, or one adopted at reexec): it emits
 * 'exit' (code, signal name) once reaped. Call right after it is spawned, in the same turn.
 */
export function watchChild(pid: number): ChildLike {
  listen();
  const child = watched.get(pid) ?? new EventEmitter();
  watched.set(pid, child);
  const early = exitedEarly.get(pid);
  if (early) {
    exitedEarly.delete(pid);
    watched.delete(pid);
    setImmediate(() => child.emit('exit', ...early));
  }
  return child as ChildLike;
}

/**
 * reexec, first thing at start-up: a child of the previous image, ours but not watched yet.
 * An exit before `watchChild` is kept for it; meanwhile the orphan sweep leaves the pid alone.
 */
export function claimChild(pid: number): void {
  if (!watched.has(pid)) watched.set(pid, new EventEmitter());
}

/** Its exit to whoever watches it; kept for `watchChild` if no one does yet. */
function emitExit(pid: number, code: number | null, signal: string | null): boolean {
  const child = watched.get(pid);
  if (!child) return false;
  watched.delete(pid);
  if (child.listenerCount('exit') > 0) child.emit('exit', code, signal);
  else exitedEarly.set(pid, [code, signal]);
  return true;
}

/** The direct children of `pid`, every thread's, from /proc. */
export function directChildren(pid: number = process.pid): number[] {
  const out: number[] = [];
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tasks) {
    let text: string;
    try {
      text = readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8');
    } catch {
      continue; // the thread exited
    }
    for (const word of text.split(' ')) if (word.trim()) out.push(Number(word));
  }
  return out;
}

export interface Reaper {
  /** Reap every exited child of ours now; returns the orphans reaped. */
  sweep(): ReapResult[];
  stop(): void;
}

function describeExit(r: ReapResult): string {
  return r.signal ? `terminated by ${r.signal}` : `exit status ${r.code}`;
}

const onSigchld = (): void => void reapExited();
let timer: NodeJS.Timeout | null = null;

function listen(): void {
  trackChildProcesses();
  if (listening) return;
  listening = true;
  process.on('SIGCHLD', onSigchld);
  timer = setInterval(onSigchld, SWEEP_MS);
  timer.unref();
  // A child that exited before the handler was there (the first watched spawn is made before
  // watchChild installs it) sent its SIGCHLD to no one: look once now rather than at the sweep.
  setImmediate(onSigchld);
}

/**
 * waitpid(pid, WNOHANG). 'gone': not our child (ECHILD); 'failed': another error, said once
 * until a reap succeeds.
 */
function reapOne(pid: number): ReapResult | null | 'gone' | 'failed' {
  try {
    const r = reapPid(pid);
    if (r) failing = false;
    return r;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ECHILD') return 'gone';
    if (!failing) orphanLogger?.log('error', `cannot reap pid ${pid}: ${(err as Error).message}`);
    failing = true;
    return 'failed';
  }
}

/** A child of ours was reaped: its exit event, or an orphan's line. */
function reaped(r: ReapResult, orphans: ReapResult[]): void {
  if (emitExit(r.pid, r.code, r.signal)) return;
  orphans.push(r);
  orphanLogger?.log('debug', `reaped orphan pid ${r.pid} (${describeExit(r)})`);
}

/** Every exited child that is not child_process's, oldest first. Returns the orphans reaped. */
export function reapExited(): ReapResult[] {
  const orphans: ReapResult[] = [];
  for (;;) {
    const pid = peekChild();
    if (!pid) break;
    if (owned.has(pid)) {
      // libuv reaps it in its own SIGCHLD turn: look again after it, then by pid
      if (++blockedRetries <= BLOCKED_RETRIES) setImmediate(onSigchld);
      else reapByPid(orphans);
      return orphans;
    }
    const r = reapOne(pid);
    if (r === 'gone') emitExit(pid, null, null); // not ours after all: its status is unknown
    if (!r || r === 'gone' || r === 'failed') break; // (none can be: it was peeked as exited)
    reaped(r, orphans);
  }
  blockedRetries = 0;
  return orphans;
}

/** Slow path while a child_process zombie hides the others: each of ours by pid. */
function reapByPid(orphans: ReapResult[]): void {
  blockedRetries = 0;
  const pids = new Set(watched.keys());
  if (orphanLogger) for (const pid of directChildren()) if (!owned.has(pid)) pids.add(pid);
  for (const pid of pids) {
    const r = reapOne(pid);
    if (r === 'gone') emitExit(pid, null, null);
    else if (r && r !== 'failed') reaped(r, orphans);
  }
}

/** Become a subreaper and reap adopted orphans from now on. */
export function startReaper(logger: Logger, options: { sweepMs?: number } = {}): Reaper {
  orphanLogger = logger;
  listen();
  try {
    setChildSubreaper();
  } catch (err) {
    logger.log('warn', `cannot become a child subreaper: ${(err as Error).message}`);
  }
  const fast = options.sweepMs ? setInterval(onSigchld, options.sweepMs) : null;
  fast?.unref();
  reapExited();
  return {
    sweep: reapExited,
    stop() {
      if (fast) clearInterval(fast);
      orphanLogger = null;
      if (watched.size > 0) return; // still reaping programs
      process.off('SIGCHLD', onSigchld);
      if (timer) clearInterval(timer);
      timer = null;
      listening = false;
    },
  };
}

/**
 * Container PID 1 mode: the daemon makes itself a child subreaper, so processes orphaned by its
 * programs (a double-forked grandchild, the children of a program that died) become its
 * children instead of init's, and it reaps them when they exit, as an init must.
 *
 * libuv reaps only the children it spawned; the rest are ours. The one rule: never wait for a
 * pid that Node's child_process owns, or its 'exit' event is lost. Every ChildProcess spawned
 * in this process is therefore recorded (ChildProcess.prototype.spawn is wrapped once, before
 * the first spawn) until its 'exit', which libuv emits in the same turn as it reaps it. On
 * SIGCHLD (and every few seconds, in case signals were merged) the daemon's direct children are
 * read from /proc/<pid>/task/<tid>/children; those not recorded are adopted orphans and are
 * reaped with waitpid(pid, WNOHANG), once per turn of the event loop however many signals came.
 */
import { ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import type { Logger } from './logger.js';
import { reapPid, setChildSubreaper, type ReapResult } from './native/index.js';

/** Pids spawned through child_process that libuv has not reaped yet. */
const owned = new Set<number>();
let tracking = false;

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

/**
 * reexec: a child of the previous image, reaped by reexec/adopt.ts: the orphan sweep must leave
 * it alone as it does child_process's own (until `releaseChild`).
 */
export function claimChild(pid: number): void {
  owned.add(pid);
}

export function releaseChild(pid: number): void {
  owned.delete(pid);
}

/** Whether child_process owns `pid` (spawned and not yet reaped by libuv). */
export function ownsChildProcess(pid: number): boolean {
  return owned.has(pid);
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
  /** Reap every exited orphan now; returns what was reaped. */
  sweep(): ReapResult[];
  stop(): void;
}

function describeExit(r: ReapResult): string {
  return r.signal ? `terminated by ${r.signal}` : `exit status ${r.code}`;
}

/** Become a subreaper and reap adopted orphans from now on. */
export function startReaper(logger: Logger, options: { sweepMs?: number } = {}): Reaper {
  trackChildProcesses();
  try {
    setChildSubreaper();
  } catch (err) {
    logger.log('warn', `cannot become a child subreaper: ${(err as Error).message}`);
  }
  let failing = false;
  const sweep = (): ReapResult[] => {
    const reaped: ReapResult[] = [];
    for (const pid of directChildren()) {
      if (owned.has(pid)) continue;
      let result: ReapResult | null;
      try {
        result = reapPid(pid);
      } catch (err) {
        // ECHILD: gone already; anything else is reported once until a sweep succeeds.
        if ((err as NodeJS.ErrnoException).code !== 'ECHILD' && !failing) {
          failing = true;
          logger.log('error', `cannot reap orphan pid ${pid}: ${(err as Error).message}`);
        }
        continue;
      }
      if (!result) continue;
      failing = false;
      reaped.push(result);
      logger.log('debug', `reaped orphan pid ${result.pid} (${describeExit(result)})`);
    }
    return reaped;
  };
  // One sweep per turn of the event loop, however many SIGCHLDs it delivered: a sweep reads every
  // child's pid from /proc. With 1,000 programs and 200 health checks exiting a second, a sweep
  // per signal was 13 % of the daemon's profile; once per turn, under 1 % (BENCHMARKS.md).
  let queued: NodeJS.Immediate | null = null;
  const sweepSoon = () => {
    queued = null;
    sweep();
  };
  const onSigchld = () => {
    queued ??= setImmediate(sweepSoon);
  };
  process.on('SIGCHLD', onSigchld);
  const timer = setInterval(sweep, options.sweepMs ?? 5000);
  timer.unref();
  sweep();
  return {
    sweep,
    stop() {
      process.off('SIGCHLD', onSigchld);
      if (queued) clearImmediate(queued);
      queued = null;
      clearInterval(timer);
    },
  };
}

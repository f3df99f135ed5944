/**
 * The one seam between the daemon and the operating system's process calls: spawning, signals,
 * the clock and timers. Production uses `realOs`; tests can pass their own.
 *
 * A spawn is the native layer's posix_spawn (native/processes.ts), not child_process's: Node
 * forks the whole daemon for each child and waits for its exec, so spawns got slower the more
 * programs ran (issue 18). The child's exit comes from the daemon's reaper (reaper.ts).
 */
import { canSpawnDirect, type DirectSteps, spawnDirect, spawnProcess, spawnSettle } from './native/index.js';
import type { ChildLike } from './process/adoption.js';
import { watchChild } from './reaper.js';

export interface SpawnOptions {
  env: Record<string, string | undefined>;
  /** stdio[i]: the daemon's fd that becomes the child's fd i; 'ignore': /dev/null. */
  stdio: ReadonlyArray<number | 'ignore'>;
  /** The child's argv[0] (default: `file`): an exec probe's command as it was written. */
  argv0?: string;
}

/** A spawned child: its pid at once, its exit when reaped. */
export interface SpawnedChild extends ChildLike {
  readonly pid: number;
}

export interface OsSeam {
  /** Starts `file` (argv[0] = file); throws the system error (EMFILE, EAGAIN, ENOENT …). */
  spawn(file: string, args: readonly string[], options: SpawnOptions): SpawnedChild;
  /**
   * Starts the command `file` itself (argv as given) after `steps`, without the exec shim;
   * absent where it cannot (no clone spawn, TSV_SPAWN_SHIM=1): the caller uses the shim.
   */
  spawnDirect?(file: string, argv: readonly string[], steps: DirectSteps, options: SpawnOptions): SpawnedChild;
  /** kill(2); throws the system error (code ESRCH …). */
  kill(pid: number, signal: string): void;
  now(): number;
  setTimer(fn: () => void, ms: number): NodeJS.Timeout;
  clearTimer(timer: NodeJS.Timeout): void;
}

/** An environment as execve takes it; unset (undefined) entries left out, as child_process does. */
export function envList(env: Record<string, string | undefined>): string[] {
  const out: string[] = [];
  for (const key in env) {
    const value = env[key];
    if (value !== undefined) out.push(`${key}=${value}`);
  }
  return out;
}

let settling: NodeJS.Timeout | null = null;

/**
 * The daemon's copies of a spawn's stdio (spawnSettle) go as soon as the child has its own fd
 * table, a moment after the spawn: until then a child's pipe would not reach end-of-file.
 */
function settleSoon(): void {
  if (settling) return;
  settling = setTimeout(() => {
    settling = null;
    if (spawnSettle() > 0) settleSoon();
  }, 1);
  settling.unref();
}

/** The child's exit from the reaper, once the spawn has returned its pid. */
function spawned(pid: number): SpawnedChild {
  settleSoon();
  const exit = watchChild(pid);
  return { pid, once: (event, listener) => exit.once(event, listener) };
}

const stdioFds = (options: SpawnOptions) => options.stdio.map((fd) => (fd === 'ignore' ? -1 : fd));

export const realOs: OsSeam = {
  spawn: (file, args, options) =>
    spawned(spawnProcess(file, [options.argv0 ?? file, ...args], envList(options.env), stdioFds(options))),
  get spawnDirect() {
    if (!canSpawnDirect()) return undefined;
    return (file: string, argv: readonly string[], steps: DirectSteps, options: SpawnOptions) =>
      spawned(spawnDirect(file, [...argv], envList(options.env), stdioFds(options), steps));
  },
  kill: (pid, signal) => {
    process.kill(pid, /^\d+$/.test(signal) ? Number(signal) : (`SIG${signal.replace(/^SIG/, '')}` as NodeJS.Signals));
  },
  now: () => Date.now(),
  setTimer: (fn, ms) => setTimeout(fn, ms),
  clearTimer: (timer) => clearTimeout(timer),
};

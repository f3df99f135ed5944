/**
 * The one seam between the daemon and the operating system's process calls: spawning, signals,
 * the clock and timers. Production uses `realOs`; tests can pass their own.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

export interface OsSeam {
  spawn(file: string, args: string[], options: SpawnOptions): ChildProcess;
  /** kill(2); throws the system error (code ESRCH …). */
  kill(pid: number, signal: string): void;
  now(): number;
  setTimer(fn: () => void, ms: number): NodeJS.Timeout;
  clearTimer(timer: NodeJS.Timeout): void;
}

export const realOs: OsSeam = {
  spawn: (file, args, options) => spawn(file, args, options),
  kill: (pid, signal) => {
    process.kill(pid, /^\d+$/.test(signal) ? Number(signal) : (`SIG${signal.replace(/^SIG/, '')}` as NodeJS.Signals));
  },
  now: () => Date.now(),
  setTimer: (fn, ms) => setTimeout(fn, ms),
  clearTimer: (timer) => clearTimeout(timer),
};

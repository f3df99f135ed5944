/**
 * reexec (docs/reexec.md): what of a process's driver the next daemon image takes over, as
 * data: its state, its pending timers (as deadlines, so that they fire when they would have),
 * the fds of its child's pipes and the sd_notify status. Pure functions over explicit inputs;
 * Subprocess.exportState/adopt apply them (the pipes are re-wrapped by reexec/adopt.ts).
 */
import type { ChildIo } from './child-pipes.js';
import type { ProcState, TimerName } from './transition.js';

/** reexec: a process's driver state as the next image takes it over (reexec/state.ts). */
export interface DriverState {
  state: ProcState;
  /** Pending timers: name, generation and when they fire (ms since the epoch). */
  timers: Array<{ name: TimerName; generation: number; at: number }>;
  /** The current child's pipes (daemon side), while it runs (null: that pipe is closed). */
  fds: { stdin: number | null; stdout: number | null; stderr: number | null } | null;
  statusText: string;
}

/** What the driver needs of a child: its exit (a ChildProcess, or reexec's adopted child). */
export interface ChildLike {
  once(event: 'exit', listener: (code: number | null, signal: NodeJS.Signals | string | null) => void): unknown;
}

/** The driver's state to hand over: `io` is the running child's pipes (null: no child). */
export function driverState(input: {
  state: ProcState;
  deadlines: ReadonlyMap<TimerName, { generation: number; at: number }>;
  io: ChildIo | null;
  statusText: string;
}): DriverState {
  const io = input.io;
  return {
    state: input.state,
    timers: [...input.deadlines].map(([name, d]) => ({ name, ...d })),
    fds: io ? { stdin: io.stdin?.fd ?? null, stdout: io.stdout?.pipeFd ?? null, stderr: io.stderr?.pipeFd ?? null } : null,
    statusText: input.statusText,
  };
}

/** The saved timers to arm again at `now`: each with what is left of its delay (0 if past). */
export function timersLeft(saved: DriverState, now: number): Array<{ name: TimerName; generation: number; ms: number }> {
  return saved.timers.map((t) => ({ name: t.name, generation: t.generation, ms: Math.max(0, t.at - now) }));
}

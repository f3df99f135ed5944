/**
 * What every readiness probe is (issue 16's `ready=`): set up before the spawn (environment,
 * an fd for the child), started once the child runs, asked why it is not ready yet, stopped
 * when STARTING ends and closed when the child is gone. `ready()` is the one way a probe says
 * "ready": the driver (process/subprocess.ts) turns it into the state machine's `ready` event.
 */
import type { ReadyCheck } from '../config/types.js';
import type { Logger } from '../logger.js';

export interface ProbeHooks {
  /** The check succeeded (called at most once per probe). */
  ready(): void;
  /** sd_notify STATUS= text ('' clears it). */
  status(text: string): void;
  /** sd_notify WATCHDOG=1 (healthcheck=notify counts them), for as long as the child lives. */
  watchdog?(): void;
  /** Each chunk the child writes to its stdout log (log:REGEX); returns the unsubscribe. */
  watchOutput(fn: (chunk: Buffer) => void): () => void;
  logger: Logger;
  /** The process's name, for log lines. */
  name: string;
  /** The child's environment (exec: runs with it). */
  env: Record<string, string>;
}

/** A gate the probe's reader lets go itself at the ready signal (goOnReady). */
export interface GoOnReady {
  /** Forget it; whether it had fired (the gate was let go). */
  cancel(): boolean;
}

export interface Probe {
  /** Why it is not ready yet: the last attempt's answer ('' when there was none). */
  answer(): string;
  /**
   * The ready signal's own reader (native, before any JS) writes one byte to `fd` when the
   * signal comes: an armed dependent's gate (process/armed-spawn.ts). Null when this probe
   * cannot (notify and fd:N can) or is no longer checking.
   */
  goOnReady?(fd: number): GoOnReady | null;
  /** No more checking (ready, timeout or stop); notify keeps reading STATUS= until close(). */
  stop(): void;
  /** The child is gone: release everything. */
  close(): void;
}

/** A probe prepared before the spawn. */
export interface ProbeSetup {
  /** Added to the child's environment (NOTIFY_SOCKET). */
  env: Record<string, string>;
  /** ready=fd:N: the child's end to hand over (stdio) and the fd it must end on. */
  childFd: { fd: number; to: number } | null;
  /** After the spawn: start checking the child `pid`. */
  start(pid: number, hooks: ProbeHooks): Probe;
  /** The spawn failed or is over: close what was prepared and not yet started. */
  discard(): void;
}

export type { ReadyCheck };

/** Attempts of the polled probes (tcp, http, exec): the pause between two, the limit of one. */
export const POLL_INTERVAL_MS = 200;
export const ATTEMPT_TIMEOUT_MS = 1000;

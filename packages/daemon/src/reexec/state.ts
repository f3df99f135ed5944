/**
 * The state one daemon image hands to the next across `reexec` (issue 14): a JSON file named by
 * the environment variable STATE_ENV, read once at start-up and removed. Everything in it is
 * data (no fds are opened here): which fd is which pipe, which fd is which fcgi socket, and each
 * process's driver state (process/adoption.ts DriverState), by namespec.
 */
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import type { DriverState } from '../process/adoption.js';

export const STATE_ENV = 'TSUPERVISORD_REEXEC_STATE';
/** Set for the preflight run (reexec/check.ts): read the configuration, load the code, exit. */
export const CHECK_ENV = 'TSUPERVISORD_REEXEC_CHECK';

export interface SavedProcess {
  namespec: string;
  /** The program's configuration as JSON: a different one in the new image means `update`. */
  config: string;
  /** Whether it is an event listener (not adopted: its protocol state is not carried over). */
  listener: boolean;
  driver: DriverState;
}

export interface ReexecState {
  version: 1;
  /** When the exec began (ms since the epoch), for the log line and the benchmark. */
  at: number;
  /** The directory the daemon was started from (the config path is resolved against it). */
  cwd: string;
  processes: SavedProcess[];
  /** One entry per kept listening fd; a socket_drain pool's fds are entries of the same url, with their holder (sockets/fcgi-socket.ts HandedFd). */
  sockets: Array<{ url: string; fd: number; holder?: string | null }>;
}

/** Read and remove the state the previous image left, or null for an ordinary start. */
export function takeState(env: NodeJS.ProcessEnv = process.env): ReexecState | null {
  const file = env[STATE_ENV];
  if (!file) return null;
  delete env[STATE_ENV];
  try {
    const state = JSON.parse(readFileSync(file, 'utf8')) as ReexecState;
    return state.version === 1 ? state : null;
  } finally {
    try {
      unlinkSync(file);
    } catch {
      /* gone */
    }
  }
}

export function writeState(file: string, state: ReexecState): void {
  writeFileSync(file, JSON.stringify(state), { mode: 0o600 });
}

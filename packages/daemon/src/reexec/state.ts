/**
 * The state one daemon image hands to the next across `reexec` (issue 14): a JSON file named by
 * the environment variable STATE_ENV, in a private directory of its own, read once at start-up
 * and removed with its directory. Everything in it is data (no fds are opened here): which fd
 * is which pipe, each kept listening fd (`fds`: one entry per fd, told apart by its `kind`; a
 * new kind of kept fd is one more member of KeptFd), and each process's driver state
 * (process/adoption.ts DriverState), by namespec.
 */
import { mkdtempSync, readFileSync, rmdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { GenerationsSnapshot } from '../logs/generations.js';
import type { DriverState } from '../process/adoption.js';
import type { ListenersState } from '../events/carry.js';

export const STATE_ENV = 'TSUPERVISORD_REEXEC_STATE';
/** The state file's directory: made by newStateFile, removed by takeState. */
const STATE_DIR_PREFIX = 'tsupervisord-reexec-';
/** Set for the preflight run (reexec/check.ts): read the configuration, load the code, exit. */
export const CHECK_ENV = 'TSUPERVISORD_REEXEC_CHECK';

export interface SavedProcess {
  namespec: string;
  /** The program's configuration as JSON: a different one in the new image means `update`. */
  config: string;
  /** Whether it is an event listener (adopted when the state carries `events.listeners`). */
  listener: boolean;
  driver: DriverState;
  /** Its AUTO log files' paths (absent: none, or an older image): the next image writes on in them. */
  autoLogs?: { stdout: string | null; stderr: string | null };
}

/** A group's configuration as JSON, its processes left out (each is in its SavedProcess). */
export interface SavedGroup {
  name: string;
  config: string;
}

/** A listening fd kept across the exec, and what it is for. */
export type KeptFd =
  /** An fcgi program's socket, by its address; a socket_drain pool has one per worker, each with
   *  the namespec of the worker that holds it (sockets/fcgi-socket.ts HandedFd). */
  | { kind: 'fcgi-socket'; fd: number; url: string; holder?: string | null }
  /** The control socket ([unix_http_server] file=). */
  | { kind: 'unix-http-server'; fd: number; file: string }
  /** [inet_http_server]'s TCP listener, by its port= text. */
  | { kind: 'inet-http-server'; fd: number; port: string };

export interface ReexecState {
  version: 1;
  /** When the exec began (ms since the epoch), for the log line and the benchmark. */
  at: number;
  /** The directory the daemon was started from (the config path is resolved against it). */
  cwd: string;
  processes: SavedProcess[];
  /** The groups' own settings (fcgi socket, listener pool): a change means `update`'s restart
   *  of the group's processes (absent from an older image: only process keys compared). */
  groups?: SavedGroup[];
  /** Every kept listening fd (missing in a state written by an older image: see `sockets`). */
  fds: KeptFd[];
  /** Each log file's byte numbering (logs/generations.ts): followers resume by position. */
  logs?: GenerationsSnapshot[];
  /** The event system's counters and recent events (events/system.ts). */
  events?: EventsState;
  /** The pump moving spliced output into the logs during the exec (reexec/pump.ts): its pid. */
  pump?: number;
  /** The fcgi sockets again, as an older image reads them (kept for a downgrade by reexec). */
  sockets: Array<{ url: string; fd: number; holder?: string | null }>;
}

export interface EventsState {
  /** The last global serial given. */
  serial: number;
  /** The listener pools and protocols (absent from an older image: listeners restarted). */
  listeners?: ListenersState;
}

/** The kept fds of one kind. */
export function keptOf<K extends KeptFd['kind']>(fds: readonly KeptFd[] | undefined, kind: K): Array<Extract<KeptFd, { kind: K }>> {
  return (fds ?? []).filter((k): k is Extract<KeptFd, { kind: K }> => k.kind === kind);
}

/** Read and remove the state the previous image left, or null for an ordinary start. */
export function takeState(env: NodeJS.ProcessEnv = process.env): ReexecState | null {
  const file = env[STATE_ENV];
  if (!file) return null;
  delete env[STATE_ENV];
  try {
    const state = JSON.parse(readFileSync(file, 'utf8')) as ReexecState;
    if (state.version !== 1) return null;
    // an older image wrote its fcgi sockets only
    state.fds ??= state.sockets.map(({ url, fd, holder }) => ({ kind: 'fcgi-socket', url, fd, holder }));
    return state;
  } finally {
    try {
      unlinkSync(file);
      if (basename(dirname(file)).startsWith(STATE_DIR_PREFIX)) rmdirSync(dirname(file));
    } catch {
      /* gone */
    }
  }
}

/** Where the state goes: a file in a new private (0700) directory, both removed by takeState. */
export function newStateFile(): string {
  return join(mkdtempSync(join(tmpdir(), STATE_DIR_PREFIX)), 'state.json');
}

export function writeState(file: string, state: ReexecState): void {
  writeFileSync(file, JSON.stringify(state), { mode: 0o600 });
}

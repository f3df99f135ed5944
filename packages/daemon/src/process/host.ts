/**
 * What a supervised process (process/subprocess.ts) is given by its group and the supervisor
 * (ProcessHost: the OS seam, the logger, the environment, the fcgi socket, the socket_drain
 * hold) and what it tells them back (StateChange). Apart from the driver so that the host's
 * side (supervisor.ts, events/, metrics/) reads the contract without the driver's workings.
 */
import type { ProcessStateName } from '@tsupervisor/protocol';
import type { Logger } from '../logger.js';
import type { OsSeam } from '../os-seam.js';
import type { SpawnSocket } from './spawn.js';
import type { Subprocess } from './subprocess.js';
import type { ProcState } from './transition.js';

export interface StateChange {
  process: Subprocess;
  from: ProcessStateName;
  to: ProcessStateName;
  expected?: boolean;
  /** State data after the change (pid, backoff …). */
  snapshot: ProcState;
}

/** What a process needs from its group and the supervisor. */
export interface ProcessHost {
  os: OsSeam;
  logger: Logger;
  serverUrl: string | null;
  supervisordEnvironment: Record<string, string>;
  baseEnvironment: NodeJS.ProcessEnv;
  autoStartAllowed(): boolean;
  /** The listening socket this process gets at spawn (fcgi-program), or null. */
  listeningSocket(p: Subprocess): SpawnSocket | null;
  /** Whether its spawns get a listening socket (fcgi-program), without taking one. */
  hasListeningSocket(): boolean;
  /**
   * fcgi socket_drain: resolves when the stop signal may be sent (the worker holds no request),
   * or null to send it at once. The stop's signal and its stopwaitsecs timer wait for it.
   */
  drainBeforeStop?(p: Subprocess, pid: number): Promise<unknown> | null;
  /** Tell the world (events, followers) about a state change. */
  stateChanged(change: StateChange): void;
}

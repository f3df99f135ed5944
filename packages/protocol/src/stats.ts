/**
 * What `tsupervisor.processStats` answers (the live views' figures: `tsupervisorctl top`, the web
 * page), and the arithmetic both ends do on it. The daemon reads the figures from the same code
 * as /metrics (daemon/src/metrics/); a client turns two answers into a CPU percentage.
 */

export interface ProcessStats {
  /** The namespec (`group:name`, or `name` when the group is its own). */
  name: string;
  group: string;
  pid: number;
  /** CPU seconds of the process tree so far (reaped children included); null when not running. */
  cpuSeconds: number | null;
  /** Resident bytes of the process tree; null when not running. */
  residentBytes: number | null;
  /** Ready as depends_on= and /readyz understand it (process/dependencies.ts). */
  ready: boolean;
  /** Children spawned for the process since the daemon (or its `update`) made it. */
  spawns: number;
}

export interface SocketStats {
  group: string;
  /** The socket's URL, e.g. `tcp://127.0.0.1:9000`. */
  address: string;
  /** Connections waiting in the accept queue. */
  queued: number;
  /** The accept-queue limit (listen backlog). */
  backlog: number;
}

export interface StatsResult {
  /** When the figures were read, in milliseconds since the Unix epoch. */
  time: number;
  processes: ProcessStats[];
  /** The fcgi sockets open now. */
  fcgi: SocketStats[];
}

/** Restarts as pm2 counts them: spawns after the first. */
export function restartsOf(spawns: number): number {
  return Math.max(0, spawns - 1);
}

/**
 * CPU use between two readings of a process, in percent of one core; null without two readings
 * of the same child (a new pid starts its own count).
 */
export function cpuPercent(prev: { time: number; p: ProcessStats } | undefined, next: { time: number; p: ProcessStats }): number | null {
  if (!prev || prev.p.pid !== next.p.pid || prev.p.cpuSeconds === null || next.p.cpuSeconds === null) return null;
  const seconds = (next.time - prev.time) / 1000;
  if (seconds <= 0) return null;
  return Math.max(0, ((next.p.cpuSeconds - prev.p.cpuSeconds) / seconds) * 100);
}

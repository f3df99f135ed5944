/**
 * The daemon's file descriptors under RLIMIT_NOFILE: a spawn may take them only while a reserve
 * stays free, so that however many programs are configured, the control socket can still
 * accept a connection and answer it (read a log, reread the configuration, append to the audit
 * trail). A spawn that would eat into the reserve fails as supervisor's does when pipe() gives
 * EMFILE: a spawn error ("too many open files to spawn 'x'"), BACKOFF, then FATAL.
 *
 * Counting /proc/self/fd costs a directory read (natively, without a string per entry: with
 * 5,000 programs the directory holds 15,000 entries), so it is done only near the limit, or once
 * a second past half of it (connections come and go too): between counts, each spawn is
 * assumed to have taken SPAWN_FDS more. The reserve is not held open: it is what the spawns leave free.
 */
import { countFds, getrlimit, growFdTable } from '../native/index.js';

/** Descriptors one spawn may hold at once: 3 pipes (6 ends), their copies at the spawn, 2 logs. */
export const SPAWN_FDS = 10;
/** Descriptors a running process keeps in the daemon: its stdin, stdout and stderr pipes' ends, 2 logs. */
const KEPT_FDS = 5;
/** Of which its log files (stdout, stderr). */
const LOG_FDS = 2;
/** Kept free for the control socket: a connection, a log read, a config file, the audit trail … */
export const RESERVED_FDS = 8;

export interface FdCount {
  open: number;
  limit: number;
}

/** The soft RLIMIT_NOFILE (Infinity: unlimited, or unknown). */
export function fdLimit(): number {
  try {
    return getrlimit('nofile').soft;
  } catch {
    return Infinity;
  }
}

/** Descriptors open in this process now (the directory read's own one not counted). */
export function openFds(): number {
  try {
    return Math.max(0, countFds()); // -1, no /proc: nothing known, nothing refused
  } catch {
    return 0;
  }
}

/** supervisor-style advice for an operator, one line: what is short and what to raise. */
export function fdShortage(count: FdCount): string {
  return `too many open files (${count.open} open, limit ${count.limit}): raise the limit (ulimit -n) or minfds`;
}

const RECOUNT_MS = 1000;
const NOTICE_MS = 10_000;
let counted: { open: number; at: number } | null = null;
let spawnsSince = 0;
/** Descriptors promised to log files being opened (queued at spawns, not yet open). */
let logsPending = 0;
let lastNotice = -Infinity;

/** The shortage as a line for the main log, at most once per NOTICE_MS (null: said lately). */
export function shortageNotice(count: FdCount, now = Date.now()): string | null {
  if (now - lastNotice < NOTICE_MS) return null;
  lastNotice = now;
  return fdShortage(count);
}

/**
 * Whether a spawn may take its descriptors now. null: yes; otherwise the count that refused it.
 * A spawn's log files are opened after it (queued behind the last child's writes; a start-up
 * that spawns every program in one go opens them all after), so those still being opened
 * (logsOpening) count on top of what /proc shows. `count`/`limit`/`now` are seams for tests.
 */
export function spawnFdsShort(count: () => number = openFds, limit: () => number = fdLimit, now = Date.now()): FdCount | null {
  const max = limit();
  if (max === Infinity) return null;
  const need = SPAWN_FDS + RESERVED_FDS;
  const estimate = counted ? counted.open + spawnsSince * SPAWN_FDS : 0;
  // a stale count is refreshed only past half the limit: far below it, what connections open
  // between counts cannot matter, and with 5,000 programs a count reads 15,000 entries
  if (!counted || estimate + need > max || (now - counted.at > RECOUNT_MS && estimate > max / 2)) {
    counted = { open: count() + logsPending, at: now };
    spawnsSince = 0;
    if (counted.open + need > max) return { open: counted.open, limit: max };
  }
  spawnsSince++;
  return null;
}

/**
 * A spawn's log files (`files` of them: none with NONE logs) being opened by `opening`: their
 * descriptors are counted until it settles. (Counting two for every spawn made a start of
 * thousands of programs with NONE logs, all spawned in one turn before any reopen settled,
 * refuse spawns at 12,000 fds of 20,000 as if the limit were reached: issue 18's stall.)
 */
export function logsOpening<T>(opening: Promise<T>, files = LOG_FDS): Promise<T> {
  logsPending += files;
  return opening.finally(() => {
    logsPending -= files;
  });
}

/**
 * Before `processes` are started: the fd table grown in one step to what they will keep open
 * (the kernel would double it again and again as the spawns open pipes and logs, each time
 * waiting for an RCU grace period: about 40 ms of a 200-program start, on the main thread).
 * Best effort, off the main thread; resolves to the size reached (0: not grown).
 */
export function prepareFdTable(processes: number, count: () => number = openFds, limit: () => number = fdLimit): Promise<number> {
  const want = count() + processes * KEPT_FDS + SPAWN_FDS + RESERVED_FDS;
  return growFdTable(Math.min(want, limit()));
}

/** Forget the last count (tests). */
export function resetFdBudget(): void {
  counted = null;
  spawnsSince = 0;
  logsPending = 0;
  lastNotice = -Infinity;
}

/**
 * AUTO child logs (options.py get_autochildlog_name / clear_autochildlogdir): a fresh file
 * `${childlogdir}/${name}-${channel}---${identifier}-XXXXXXXX.log` made like mkstemp (8 random
 * characters of [a-z0-9_], created exclusively), and the removal of such files at daemon start
 * unless `nocleanup`.
 */
import { randomInt } from 'node:crypto';
import { closeSync, constants, existsSync, openSync, readdirSync, unlinkSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';

const NAME_CHARS = 'abcdefghijklmnopqrstuvwxyz0123456789_';

function randomName(length = 8): string {
  let s = '';
  for (let i = 0; i < length; i++) s += NAME_CHARS[randomInt(NAME_CHARS.length)];
  return s;
}

/**
 * Names an AUTO log file and makes it, empty, as mkstemp does. The first of a directory in a
 * turn of the event loop is made here (what open(2) throws, ENOENT, EACCES …, is thrown: the
 * directory is unusable); the others are made in the background (the thread pool), a name
 * found free (not on disk, not being made) first: each create costs about half a millisecond
 * of kernel time on ext4, and with hundreds of programs that used to delay every spawn of the
 * daemon's start (issue 18). What uses the file waits for it (autoLogMade); one that cannot be
 * made is reported by its first open.
 */
export function autoLogPath(
  childlogdir: string,
  processName: string,
  channel: 'stdout' | 'stderr',
  identifier = 'supervisor',
): string {
  const prefix = `${processName}-${channel}---${identifier}-`;
  const background = usableDirs.has(childlogdir);
  for (let attempt = 0; ; attempt++) {
    const path = join(childlogdir, `${prefix}${randomName()}.log`);
    if (background && attempt < 100) {
      if (making.has(path) || existsSync(path)) continue;
      making.set(path, makeInBackground(path));
      return path;
    }
    try {
      closeSync(openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600));
      if (usableDirs.size === 0) setImmediate(() => usableDirs.clear());
      usableDirs.add(childlogdir);
      return path;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 100) throw err;
    }
  }
}

/**
 * Directories where an AUTO file was just made: the next ones of the same turn (a start, a
 * reload, an update builds all its processes in one) are made in the background.
 */
const usableDirs = new Set<string>();
/** AUTO files being made: path → its making. */
const making = new Map<string, Promise<void>>();
const MADE = Promise.resolve();
/**
 * Made a few at a time (the thread pool has 4 threads): a file's descriptor lives from its open
 * to its close, and with every open queued ahead of every close, 1,200 files at once held 1,200
 * descriptors (EMFILE under ulimit -n 1024).
 */
const AT_ONCE = 4;
const waiting: Array<() => void> = [];
let inFlight = 0;

async function makeInBackground(path: string): Promise<void> {
  if (inFlight >= AT_ONCE) await new Promise<void>((resolve) => waiting.push(resolve));
  inFlight++;
  try {
    await (await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600)).close();
  } catch {
    // EEXIST: made meanwhile (its own log opened first); anything else: its first open reports it
  } finally {
    inFlight--;
    making.delete(path);
    waiting.shift()?.();
  }
}

/** reexec: the AUTO files the previous image wrote, by group, process and channel (carryAutoLogs). */
const carried = new Map<string, string>();
const carriedKey = (group: string, name: string, channel: 'stdout' | 'stderr') => `${group}\u0000${name}\u0000${channel}`;

/** reexec, before the processes are built: each process writes on in the AUTO files it had. */
export function carryAutoLogs(entries: Iterable<{ group: string; name: string; channel: 'stdout' | 'stderr'; path: string }>): void {
  for (const e of entries) carried.set(carriedKey(e.group, e.name, e.channel), e.path);
}

/** The AUTO file a process had before the reexec (once), or undefined. */
export function takeCarriedAutoLog(group: string, name: string, channel: 'stdout' | 'stderr'): string | undefined {
  const key = carriedKey(group, name, channel);
  const path = carried.get(key);
  carried.delete(key);
  return path;
}

/** Settles once the AUTO file at `path` is made (at once for any other path). */
export function autoLogMade(path: string): Promise<void> {
  return making.get(path) ?? MADE;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** supervisor's pattern, `re.match` style (anchored at the start only); matches backups too. */
export function autoLogPattern(identifier = 'supervisor'): RegExp {
  return new RegExp(`^.+?---${escapeRegExp(identifier)}-\\S+\\.log\\.?\\d{0,4}`);
}

export interface CleanupReport {
  removed: string[];
  /** Supervisor's warnings: `Could not clear childlog dir`, `Failed to clean up '…'`. */
  warnings: string[];
}

/** Removes every AUTO log (and backup) of `identifier` in `childlogdir`. Never throws. */
export function clearAutoChildLogDir(childlogdir: string, identifier = 'supervisor'): CleanupReport {
  const report: CleanupReport = { removed: [], warnings: [] };
  let names: string[];
  try {
    names = readdirSync(childlogdir);
  } catch {
    report.warnings.push('Could not clear childlog dir');
    return report;
  }
  const pattern = autoLogPattern(identifier);
  for (const name of names) {
    if (!pattern.test(name)) continue;
    const path = join(childlogdir, name);
    try {
      unlinkSync(path);
      report.removed.push(path);
    } catch {
      report.warnings.push(`Failed to clean up '${path}'`);
    }
  }
  return report;
}

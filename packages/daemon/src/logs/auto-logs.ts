/**
 * AUTO child logs (options.py get_autochildlog_name / clear_autochildlogdir): a fresh file
 * `${childlogdir}/${name}-${channel}---${identifier}-XXXXXXXX.log` made like mkstemp (8 random
 * characters of [a-z0-9_], created exclusively), and the removal of such files at daemon start
 * unless `nocleanup`.
 */
import { randomInt } from 'node:crypto';
import { closeSync, constants, openSync, readdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';

const NAME_CHARS = 'abcdefghijklmnopqrstuvwxyz0123456789_';

function randomName(length = 8): string {
  let s = '';
  for (let i = 0; i < length; i++) s += NAME_CHARS[randomInt(NAME_CHARS.length)];
  return s;
}

/**
 * Creates an empty AUTO log file and returns its path. Throws what open(2) throws
 * (ENOENT, EACCES …) except EEXIST, on which another name is tried.
 */
export function autoLogPath(
  childlogdir: string,
  processName: string,
  channel: 'stdout' | 'stderr',
  identifier = 'supervisor',
): string {
  const prefix = `${processName}-${channel}---${identifier}-`;
  for (let attempt = 0; ; attempt++) {
    const path = join(childlogdir, `${prefix}${randomName()}.log`);
    try {
      closeSync(openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600));
      return path;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 100) throw err;
    }
  }
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

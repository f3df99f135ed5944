/**
 * From a process's LogConfig to its log file: where it is (AUTO, NONE, a path) and opening it
 * with its rotation settings. For the process driver.
 */
import { closeSync, constants, statSync, openSync, unlinkSync } from 'node:fs';
import type { LogConfig } from '../config/types.js';
import { autoLogPath } from './auto-logs.js';
import { RotatingFile, type RotatingFileOptions } from './rotating-file.js';

export interface LogPlace {
  childlogdir: string;
  processName: string;
  channel: 'stdout' | 'stderr';
  /** [supervisord] identifier (part of AUTO names). */
  identifier: string;
}

/**
 * The file a channel logs to: AUTO → a new file in childlogdir (created now, as supervisor does
 * when the process group is added); a path as is; NONE (and syslog-only) → null.
 * Throws if the AUTO file cannot be created.
 */
export function resolveLogPath(log: LogConfig, place: LogPlace): string | null {
  switch (log.target.kind) {
    case 'auto':
      return autoLogPath(place.childlogdir, place.processName, place.channel, place.identifier);
    case 'path':
      return log.target.path;
    default:
      return null;
  }
}

/** Opens the log of one channel for a spawn (null for no file). Never throws: see onError. */
export function openChildLog(
  path: string | null,
  log: LogConfig,
  opts: Omit<RotatingFileOptions, 'maxbytes' | 'backups'> = {},
): RotatingFile | null {
  if (path === null) return null;
  return new RotatingFile(path, { ...opts, maxbytes: log.maxbytes, backups: log.backups });
}

/**
 * clearProcessLogs for a channel with no open RotatingFile (process not running): supervisor
 * removes the file and reopens it, leaving an empty file. Backups are kept. Paths under /dev
 * and non-regular files are left alone. Throws on failure (the caller answers FAILED).
 */
export function clearLogFile(path: string | null): void {
  if (path === null || /^\/(dev|proc)\//.test(path)) return;
  try {
    if (!statSync(path).isFile()) return;
    unlinkSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  closeSync(openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_APPEND, 0o666));
}

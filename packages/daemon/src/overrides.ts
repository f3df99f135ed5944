/** Applies supervisord's command-line options over the [supervisord] section. */
import { resolve } from 'node:path';
import type { SupervisordConfig } from './config/types.js';
import { UsageError } from './cli.js';

const LEVELS = new Set(['critical', 'error', 'warn', 'info', 'debug', 'trace', 'blather']);
const UNITS: Record<string, number> = { KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 };

function integer(key: string, value: string): number {
  if (!/^\d+$/.test(value)) throw new UsageError(`invalid value for ${key}: ${JSON.stringify(value)} is not an integer`);
  return Number(value);
}

function bytes(key: string, value: string): number {
  const m = /^(\d+)\s*(KB|MB|GB)?$/i.exec(value.trim());
  if (!m) throw new UsageError(`invalid value for ${key}: ${JSON.stringify(value)} is not a byte size`);
  return Number(m[1]) * (m[2] ? UNITS[m[2].toUpperCase()] : 1);
}

export function applyOverrides(server: SupervisordConfig, overrides: Record<string, string>, cwd: string): SupervisordConfig {
  const s = { ...server };
  for (const [key, value] of Object.entries(overrides)) {
    switch (key) {
      case 'nodaemon':
        s.nodaemon = true;
        break;
      case 'silent':
        s.silent = true;
        break;
      case 'nocleanup':
        s.nocleanup = true;
        break;
      case 'strip_ansi':
        s.stripAnsi = true;
        break;
      case 'user':
        s.user = value;
        break;
      case 'umask':
        if (!/^[0-7]+$/.test(value)) throw new UsageError(`invalid value for umask: ${JSON.stringify(value)}`);
        s.umask = parseInt(value, 8);
        break;
      case 'directory':
        s.directory = resolve(cwd, value);
        break;
      case 'logfile':
        s.logfile = value === 'syslog' ? value : resolve(cwd, value);
        break;
      case 'logfile_maxbytes':
        s.logfileMaxbytes = bytes(key, value);
        break;
      case 'logfile_backups':
        s.logfileBackups = integer(key, value);
        break;
      case 'loglevel':
        if (!LEVELS.has(value.toLowerCase())) throw new UsageError(`invalid value for loglevel: ${JSON.stringify(value)}`);
        s.loglevel = value.toLowerCase() as SupervisordConfig['loglevel'];
        break;
      case 'pidfile':
        s.pidfile = resolve(cwd, value);
        break;
      case 'identifier':
        s.identifier = value;
        break;
      case 'childlogdir':
        s.childlogdir = resolve(cwd, value);
        break;
      case 'minfds':
        s.minfds = integer(key, value);
        break;
      case 'minprocs':
        s.minprocs = integer(key, value);
        break;
      default:
        break; // profile_options: accepted, ignored
    }
  }
  return s;
}

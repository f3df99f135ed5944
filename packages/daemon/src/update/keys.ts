/**
 * Which settings differ between two versions of a process or a group, named by their ini keys,
 * and which of them a running process can take without a restart (the ones only the supervisor
 * reads: priorities, autostart, the state machine's timings, exit codes and stop signal).
 */
import { SCHEDULING_KEYS } from '../config/schema.js';
import type { FcgiSocketConfig, GroupConfig, LogConfig, ProcessConfig } from '../config/types.js';
import { sameSettings } from './diff.js';

/** Keys applied to a running process in place. Every other changed key needs a restart. */
export const LIVE_KEYS: ReadonlySet<string> = new Set([
  'priority',
  'autostart',
  'startsecs',
  'startretries',
  'autorestart',
  'exitcodes',
  'stopsignal',
  'stopwaitsecs',
  'stopasgroup',
  'killasgroup',
  // tsupervisor's scheduling keys: dependencies, essential and retry waits are read by the
  // supervisor only; readiness at the next spawn (the current one keeps the check it was spawned
  // with: notify and fd:N are set up at the spawn), its timeout when the next check starts;
  // health checks start over with the new settings (health/monitor.ts reconfigure)
  ...SCHEDULING_KEYS,
]);

/** Fields that identify a process or say where it was written: never a change of settings. */
const IDENTITY = new Set(['name', 'programName', 'groupName', 'processNum', 'origin']);

const FIELD_KEYS: Record<string, string> = {
  argv: 'command',
  commandError: 'command',
  uid: 'user',
  redirectStderr: 'redirect_stderr',
  logTimestamps: 'log_timestamps',
};

const LOG_KEYS: Record<keyof LogConfig, string> = {
  target: 'logfile',
  maxbytes: 'logfile_maxbytes',
  backups: 'logfile_backups',
  captureMaxbytes: 'capture_maxbytes',
  eventsEnabled: 'events_enabled',
  syslog: 'syslog',
};

/** camelCase field → snake_case key (fields added later still get a readable name). */
function iniKey(field: string): string {
  return FIELD_KEYS[field] ?? field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

function addOnce(out: string[], key: string): void {
  if (!out.includes(key)) out.push(key);
}

/** Changed keys of one process (ini names, in field order), identity fields left out. */
export function changedProcessKeys(a: ProcessConfig, b: ProcessConfig): string[] {
  const out: string[] = [];
  const fields = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const field of fields) {
    if (IDENTITY.has(field)) continue;
    const x = (a as unknown as Record<string, unknown>)[field];
    const y = (b as unknown as Record<string, unknown>)[field];
    if (sameSettings(x, y)) continue;
    if ((field === 'stdout' || field === 'stderr') && x && y) {
      for (const [sub, key] of Object.entries(LOG_KEYS)) {
        if (!sameSettings((x as LogConfig)[sub as keyof LogConfig], (y as LogConfig)[sub as keyof LogConfig])) {
          addOnce(out, `${field}_${key}`);
        }
      }
      continue;
    }
    addOnce(out, iniKey(field));
  }
  return out;
}

/** Changed keys of a group's fcgi socket; `socket` means the address (or its presence). */
export function changedSocketKeys(a: FcgiSocketConfig | null, b: FcgiSocketConfig | null): string[] {
  if (!a && !b) return [];
  if (!a || !b) return ['socket'];
  const out: string[] = [];
  if (a.address.url !== b.address.url) out.push('socket');
  if (a.backlog !== b.backlog) out.push('socket_backlog');
  if (a.mode !== b.mode) out.push('socket_mode');
  if (!sameSettings(a.owner, b.owner)) out.push('socket_owner');
  if (a.pass !== b.pass) out.push('socket_pass');
  if (a.drain !== b.drain) out.push('socket_drain');
  return out;
}

/** Socket keys that need the workers restarted: a new address, or a new way of passing it. */
export function socketKeysForProcesses(a: FcgiSocketConfig | null, b: FcgiSocketConfig | null): string[] {
  return changedSocketKeys(a, b).filter((k) => k === 'socket' || k === 'socket_pass');
}

/** Changed group-level keys: priority, the socket's, the event listener pool's. */
export function changedGroupKeys(a: GroupConfig, b: GroupConfig): string[] {
  const out: string[] = [];
  if (a.priority !== b.priority) out.push('priority');
  out.push(...changedSocketKeys(a.socket, b.socket));
  const la = a.listener;
  const lb = b.listener;
  if (la && lb) {
    if (!sameSettings(la.events, lb.events)) out.push('events');
    if (la.bufferSize !== lb.bufferSize) out.push('buffer_size');
    if (la.resultHandler !== lb.resultHandler) out.push('result_handler');
  } else if (la || lb) out.push('events');
  return out;
}

/** Group keys whose change restarts every process of the group (the listener protocol). */
export function listenerKeys(a: GroupConfig, b: GroupConfig): string[] {
  return changedGroupKeys(a, b).filter((k) => k === 'events' || k === 'buffer_size' || k === 'result_handler');
}

/** True when some of `keys` cannot be applied to a running process without a restart. */
export function needsRestart(keys: readonly string[]): boolean {
  return keys.some((k) => !LIVE_KEYS.has(k));
}

/**
 * Compares two sets of group configurations as supervisor's diff_to_active does: a group is
 * `changed` when any of its settings differ (where each value came from does not count).
 */
import type { ReloadResult } from '@tsupervisor/protocol';
import type { GroupConfig, LogConfig, ProcessConfig } from '../config/types.js';

export function comparable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(comparable);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      if (key === 'origin') continue;
      out[key] = comparable((value as Record<string, unknown>)[key]);
    }
    return out;
  }
  return value;
}

export function sameSettings(a: unknown, b: unknown): boolean {
  return JSON.stringify(comparable(a)) === JSON.stringify(comparable(b));
}

/**
 * Every difference (update plans from this). `visible`: only what supervisord would see (reread
 * reports this, and update prints its lines only for these groups; the rest is applied quietly).
 */
export function diffGroups(current: GroupConfig[], next: GroupConfig[], visible = false): ReloadResult {
  const cur = new Map(current.map((g) => [g.name, g]));
  const nxt = new Map(next.map((g) => [g.name, g]));
  const same = visible ? supervisorEqual : sameSettings;
  return {
    added: next.filter((g) => !cur.has(g.name)).map((g) => g.name),
    changed: next.filter((g) => cur.has(g.name) && !same(cur.get(g.name)!, g)).map((g) => g.name),
    removed: current.filter((g) => !nxt.has(g.name)).map((g) => g.name),
  };
}

/** supervisor's group classes: [program:x] and [group:x] are both a ProcessGroupConfig. */
const CLASS = { program: 'process', group: 'process', 'fcgi-program': 'fcgi', eventlistener: 'listener' } as const;

/**
 * Group equality as supervisor's __eq__ methods decide it, `a` running and `b` just read (so
 * reread reports what supervisord would): name, priority and every ProcessConfig; for fcgi
 * groups the socket URL only (not its mode, owner or backlog); for event listener pools
 * buffer_size, events and result_handler.
 */
export function supervisorEqual(a: GroupConfig, b: GroupConfig): boolean {
  if (CLASS[a.kind] !== CLASS[b.kind] || a.name !== b.name || a.priority !== b.priority) return false;
  if ((a.socket?.address.url ?? null) !== (b.socket?.address.url ?? null)) return false;
  if ((a.socket?.pass ?? null) !== (b.socket?.pass ?? null)) return false; // tsupervisor's own key
  if (a.listener || b.listener) {
    if (!a.listener || !b.listener) return false;
    if (a.listener.bufferSize !== b.listener.bufferSize || a.listener.resultHandler !== b.listener.resultHandler) return false;
    if (!sameSettings(a.listener.events, b.listener.events)) return false;
  }
  return a.processes.length === b.processes.length && a.processes.every((p, i) => sameProcess(p, b.processes[i]));
}

/**
 * ProcessConfig.__eq__: its req_param_names and optional_param_names; a value that is AUTO on
 * either side is not compared, and as the running side's AUTO log is a real path by then, a log
 * that becomes AUTO is no change (one that leaves AUTO is); the user counts by its uid.
 */
function sameProcess(a: ProcessConfig, b: ProcessConfig): boolean {
  const plain: Array<keyof ProcessConfig> = [
    'name', 'uid', 'command', 'directory', 'umask', 'priority', 'autostart', 'autorestart', 'startsecs',
    'startretries', 'stopsignal', 'stopwaitsecs', 'stopasgroup', 'killasgroup', 'exitcodes', 'redirectStderr',
    'environment', 'serverurl', 'logTimestamps', 'ready', 'readyTimeout',
  ];
  if (!plain.every((k) => sameSettings(a[k], b[k]))) return false;
  return sameLog(a.stdout, b.stdout) && sameLog(a.stderr, b.stderr);
}

function sameLog(a: LogConfig, b: LogConfig): boolean {
  // The running side's AUTO is a real file by then; only the new side can still be AUTO.
  if (b.target.kind !== 'auto' && !sameSettings(a.target, b.target)) return false;
  return (
    a.maxbytes === b.maxbytes &&
    a.backups === b.backups &&
    a.captureMaxbytes === b.captureMaxbytes &&
    a.eventsEnabled === b.eventsEnabled &&
    a.syslog === b.syslog
  );
}

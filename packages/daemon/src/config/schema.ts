/**
 * Which sections and keys supervisor 4.2.5 knows (reference §1), plus ours. Used to classify
 * sections and to warn about unknown keys (supervisor silently ignores them; we say so).
 */

export type SectionKind =
  | 'supervisord'
  | 'unix_http_server'
  | 'inet_http_server'
  | 'supervisorctl'
  | 'include'
  | 'rpcinterface'
  | 'ctlplugin'
  | 'program'
  | 'fcgi-program'
  | 'eventlistener'
  | 'group'
  | 'unknown';

const PREFIXED: ReadonlyArray<SectionKind> = ['rpcinterface', 'ctlplugin', 'program', 'fcgi-program', 'eventlistener', 'group'];
const PLAIN: ReadonlyArray<SectionKind> = ['supervisord', 'unix_http_server', 'inet_http_server', 'supervisorctl', 'include'];

/** `program:web` → { kind: 'program', name: 'web' }. */
export function classifySection(section: string): { kind: SectionKind; name: string } {
  const colon = section.indexOf(':');
  if (colon === -1) {
    const kind = PLAIN.find((k) => k === section);
    return { kind: kind ?? 'unknown', name: section };
  }
  const prefix = section.slice(0, colon);
  const kind = PREFIXED.find((k) => k === prefix);
  return { kind: kind ?? 'unknown', name: section.slice(colon + 1) };
}

const LOG_KEYS = ['logfile', 'logfile_maxbytes', 'logfile_backups', 'capture_maxbytes', 'events_enabled', 'syslog'];

/** Keys of [program:x] (and the base of fcgi-program / eventlistener). */
/**
 * tsupervisor's keys of when and how a process is started, watched and retried: start
 * dependencies, essential programs, retries (docs/dependencies.md), readiness
 * (config/readiness.ts), health checks (health/). `update` applies every one of them in place
 * (update/keys.ts).
 */
export const SCHEDULING_KEYS = [
  'depends_on',
  'essential',
  'backoff_max',
  'ready',
  'ready_timeout',
  'healthcheck',
  'healthcheck_interval',
  'healthcheck_timeout',
  'healthcheck_retries',
  'healthcheck_start_period',
] as const;

export const PROGRAM_KEYS: ReadonlySet<string> = new Set([
  'command',
  'process_name',
  'numprocs',
  'numprocs_start',
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
  'user',
  'redirect_stderr',
  ...LOG_KEYS.map((k) => `stdout_${k}`),
  ...LOG_KEYS.map((k) => `stderr_${k}`),
  'environment',
  'directory',
  'umask',
  'serverurl',
  // tsupervisor: timestamp each logged line of the child's output
  'log_timestamps',
  ...SCHEDULING_KEYS,
]);

export const FCGI_PROGRAM_KEYS: ReadonlySet<string> = new Set([
  ...PROGRAM_KEYS,
  'socket',
  'socket_backlog',
  'socket_owner',
  'socket_mode',
  // tsupervisor: `listen_fds` passes the socket as fd 3 with LISTEN_FDS=1 (systemd style)
  'socket_pass',
  // tsupervisor: per-worker SO_REUSEPORT sockets, a worker is signalled once it holds no request
  'socket_drain',
]);

export const EVENTLISTENER_KEYS: ReadonlySet<string> = new Set([...PROGRAM_KEYS, 'buffer_size', 'events', 'result_handler']);

export const GROUP_KEYS: ReadonlySet<string> = new Set(['programs', 'priority']);

export const SUPERVISORD_KEYS: ReadonlySet<string> = new Set([
  'logfile',
  'logfile_maxbytes',
  'logfile_backups',
  'loglevel',
  'pidfile',
  'umask',
  'nodaemon',
  'silent',
  'minfds',
  'minprocs',
  'nocleanup',
  'childlogdir',
  'user',
  'directory',
  'strip_ansi',
  'environment',
  'identifier',
  // tsupervisor: the control socket's audit trail (rpc/audit.ts): AUTO, NONE or a path
  'audit_logfile',
]);

export const UNIX_HTTP_SERVER_KEYS: ReadonlySet<string> = new Set(['file', 'chmod', 'chown', 'username', 'password']);
export const INET_HTTP_SERVER_KEYS: ReadonlySet<string> = new Set(['port', 'username', 'password']);
export const SUPERVISORCTL_KEYS: ReadonlySet<string> = new Set(['serverurl', 'username', 'password', 'prompt', 'history_file']);
export const INCLUDE_KEYS: ReadonlySet<string> = new Set(['files']);

/** The factory every real config names; other rpcinterfaces are Python plugins we cannot load. */
export const MAIN_RPCINTERFACE_FACTORY = 'supervisor.rpcinterface:make_main_rpcinterface';
export const DEFAULT_RESULT_HANDLER = 'supervisor.dispatchers:default_handler';

/** socket.SOMAXCONN as Python reports it on Linux (net.core.somaxconn default since 5.4). */
export const DEFAULT_SOCKET_BACKLOG = 4096;

/** events.EventTypes of supervisor 4.2.5. */
export const EVENT_TYPES: ReadonlySet<string> = new Set([
  'EVENT',
  'PROCESS_COMMUNICATION',
  'PROCESS_COMMUNICATION_STDERR',
  'PROCESS_COMMUNICATION_STDOUT',
  'PROCESS_GROUP',
  'PROCESS_GROUP_ADDED',
  'PROCESS_GROUP_REMOVED',
  'PROCESS_LOG',
  'PROCESS_LOG_STDERR',
  'PROCESS_LOG_STDOUT',
  'PROCESS_STATE',
  'PROCESS_STATE_BACKOFF',
  'PROCESS_STATE_EXITED',
  'PROCESS_STATE_FATAL',
  'PROCESS_STATE_RUNNING',
  'PROCESS_STATE_STARTING',
  'PROCESS_STATE_STOPPED',
  'PROCESS_STATE_STOPPING',
  'PROCESS_STATE_UNKNOWN',
  'REMOTE_COMMUNICATION',
  'SUPERVISOR_STATE_CHANGE',
  'SUPERVISOR_STATE_CHANGE_RUNNING',
  'SUPERVISOR_STATE_CHANGE_STOPPING',
  'TICK',
  'TICK_3600',
  'TICK_5',
  'TICK_60',
  // tsupervisor's own (events/types.ts): only listeners naming them receive them
  'TSUPERVISOR_DEPENDENCY',
  'TSUPERVISOR_DEPENDENCY_RELEASED',
  'TSUPERVISOR_DEPENDENCY_WAITING',
  'TSUPERVISOR_READINESS',
  'TSUPERVISOR_READINESS_WAITING',
]);

/**
 * The parsed, typed configuration: what the config module produces from supervisord.conf and
 * what the rest of the daemon consumes. Defaults are supervisor 4.2.5's (reference §1).
 */

/** Where a value came from, so errors can say `file:line`. */
export interface Origin {
  file: string;
  line: number;
}

export type AutoRestart = 'true' | 'false' | 'unexpected';

/**
 * A log target: AUTO (a file in childlogdir), NONE, or an absolute path (may be /dev/stdout).
 * The deprecated `stdout_logfile=syslog` is rewritten as supervisor does: target none plus
 * `syslog: true`, so loadConfig never yields kind 'syslog'.
 */
export type LogTarget = { kind: 'auto' } | { kind: 'none' } | { kind: 'path'; path: string } | { kind: 'syslog' };

export interface LogConfig {
  target: LogTarget;
  maxbytes: number;
  backups: number;
  captureMaxbytes: number;
  eventsEnabled: boolean;
  syslog: boolean;
}

export interface SupervisordConfig {
  /** Absolute path, or exactly 'syslog'. */
  logfile: string;
  logfileMaxbytes: number;
  logfileBackups: number;
  loglevel: 'critical' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'blather';
  pidfile: string;
  umask: number;
  nodaemon: boolean;
  silent: boolean;
  minfds: number;
  minprocs: number;
  nocleanup: boolean;
  childlogdir: string;
  user: string | null;
  directory: string | null;
  stripAnsi: boolean;
  environment: Record<string, string>;
  identifier: string;
  /** tsupervisor: the audit trail of state-changing calls: 'AUTO', an absolute path, or null (NONE). */
  auditLogfile: string | null;
}

/** `user` or `user:group` as written, resolved to ids; gid -1 = leave the group unchanged. */
export interface OwnerSpec {
  user: string;
  group: string | null;
  uid: number;
  gid: number;
}

export interface UnixHttpServerConfig {
  /** Absolute path of the socket. */
  file: string;
  chmod: number;
  /** null = supervisord's own uid/gid. */
  chown: OwnerSpec | null;
  username: string | null;
  password: string | null;
}

export interface InetHttpServerConfig {
  /** The value as written (`host:port`, `:port`, `*:port` or `port`). */
  port: string;
  /** '' = all interfaces; IPv6 brackets stripped. */
  host: string;
  portNumber: number;
  username: string | null;
  password: string | null;
}

export interface CtlConfig {
  serverurl: string;
  username: string | null;
  password: string | null;
  prompt: string;
  historyFile: string | null;
}

/** The listening socket of an fcgi-program group. */
export type SocketAddress =
  | { kind: 'tcp'; host: string; port: number; url: string }
  | { kind: 'unix'; path: string; url: string };

export interface FcgiSocketConfig {
  address: SocketAddress;
  backlog: number;
  /** unix only: chown after bind; null = unchanged. Defaults to the `user=` of the program
   * (and its primary group) when that differs from the daemon's uid, as supervisor does. */
  owner: OwnerSpec | null;
  /** unix only: chmod after bind (default 0o700). */
  mode: number;
  /** tsupervisor: `socket_pass=listen_fds` hands the socket as fd 3 with LISTEN_FDS (systemd style). */
  pass: 'stdin' | 'listen_fds';
  /** tsupervisor: `socket_drain=true` (TCP only): one SO_REUSEPORT socket per worker, steered so
   * that a worker being stopped gets no new connection and is signalled once idle (docs/fastcgi.md). */
  drain: boolean;
}

/** tsupervisor's `ready=` (config/readiness.ts); `text` is the value as written (trimmed). */
export type ReadyCheck =
  | { kind: 'notify'; text: string }
  | { kind: 'fd'; fd: number; text: string }
  | { kind: 'tcp'; host: string; port: number; text: string }
  | { kind: 'http'; url: string; text: string }
  | { kind: 'exec'; argv: string[]; text: string }
  | { kind: 'log'; pattern: string; text: string };

/** tsupervisor's `healthcheck=`: the forms of `ready=` but fd:N (config/readiness.ts). */
export type HealthCheck = Exclude<ReadyCheck, { kind: 'fd' }>;

/** One process (a program with numprocs=N yields N of these). */
export interface ProcessConfig {
  /** The process name after process_name expansion. */
  name: string;
  /** The section name (program_name). */
  programName: string;
  /** The group it belongs to: the program's own name, or the [group:x] that lists it. */
  groupName: string;
  processNum: number;
  /** The command string as written (expanded), and argv after shlex splitting. */
  command: string;
  argv: string[];
  /** Why `command` gives no argv (empty, or shlex fails): supervisor's spawn error for it. */
  commandError?: string | null;
  priority: number;
  autostart: boolean;
  startsecs: number;
  startretries: number;
  autorestart: AutoRestart;
  exitcodes: number[];
  stopsignal: string; // e.g. 'TERM'
  stopwaitsecs: number;
  stopasgroup: boolean;
  killasgroup: boolean;
  /** `user=` as written; `uid` is its resolved id (both null when not set). */
  user: string | null;
  uid: number | null;
  redirectStderr: boolean;
  stdout: LogConfig;
  stderr: LogConfig;
  /** [supervisord] environment= overlaid by the program's environment= (not the inherited env). */
  environment: Record<string, string>;
  /** Absolute (relative values are resolved against the daemon's cwd at load). */
  directory: string | null;
  umask: number | null;
  serverurl: string; // 'AUTO' or a URL
  /** tsupervisor: prefix each logged line of output with a timestamp (`log_timestamps=true`). */
  logTimestamps: boolean;
  /** tsupervisor: how it says it is ready (null: ready when RUNNING after startsecs). */
  ready: ReadyCheck | null;
  /** tsupervisor: seconds a `ready=` check may take before the start counts as failed. */
  readyTimeout: number;
  /** The `[program:x]` header (or `[fcgi-program:x]` / `[eventlistener:x]`). */
  origin: Origin;
  /** tsupervisor (present only when written): `depends_on=`, what must be there before a spawn. */
  dependsOn?: DependencySpec[];
  /** tsupervisor (present only when written): `essential=true` ends the daemon when it fails for good. */
  essential?: boolean;
  /** tsupervisor (present only when written): `backoff_max=` seconds, the retry wait doubles up to it. */
  backoffMax?: number;
  /**
   * tsupervisor (present only with `healthcheck=`): the check of a RUNNING process, every
   * `healthcheckInterval` s, each bounded by `healthcheckTimeout` s; `healthcheckRetries` failures
   * in a row restart it; failures in the first `healthcheckStartPeriod` s do not count (health/).
   */
  healthcheck?: HealthCheck;
  healthcheckInterval?: number;
  healthcheckTimeout?: number;
  healthcheckRetries?: number;
  healthcheckStartPeriod?: number;
}

/** `ready`: RUNNING (after `ready=` when it has one); `exited`: exited with an expected code. */
export type DependencyCondition = 'ready' | 'exited';

/** One word of `depends_on=`: `name`, `group:name` or `group:*`, and its condition. */
export interface DependencySpec {
  /** As written, without the `:ready` / `:exited` suffix. */
  target: string;
  condition: DependencyCondition;
  /** The depends_on= line (left out of comparisons, as every `origin`). */
  origin: Origin;
}

export type GroupKind = 'program' | 'fcgi-program' | 'group' | 'eventlistener';

export interface EventListenerConfig {
  /** Upper-cased event type names, each once, in the order written. */
  events: string[];
  bufferSize: number;
  resultHandler: string;
}

export interface GroupConfig {
  name: string;
  kind: GroupKind;
  priority: number;
  /** Each program's processes sorted by (priority, name), as supervisor sorts them. */
  processes: ProcessConfig[];
  /** fcgi-program groups only. */
  socket: FcgiSocketConfig | null;
  /** eventlistener pools only. */
  listener: EventListenerConfig | null;
  origin: Origin;
}

export interface Config {
  /** The file that was read first (-c). */
  file: string;
  /** Every file read, in order (the main file and its includes). */
  files: string[];
  supervisord: SupervisordConfig;
  unixHttpServer: UnixHttpServerConfig | null;
  inetHttpServer: InetHttpServerConfig | null;
  supervisorctl: CtlConfig | null;
  /** Groups sorted as supervisor sorts them: by priority, then by name. */
  groups: GroupConfig[];
  /** Non-fatal problems (unknown keys, unmatched include globs), logged at start (WARN). */
  warnings: string[];
  /** What supervisor logs at INFO while parsing (`Included extra file "…" during parsing`). */
  infos: string[];
  /** The [rpcinterface:x] sections that name the main interface (x), in file order. */
  rpcInterfaces?: string[];
}

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

/** A log target: AUTO (a file in childlogdir), NONE, or a path (may be /dev/stdout). */
export type LogTarget = { kind: 'auto' } | { kind: 'none' } | { kind: 'path'; path: string } | { kind: 'syslog' };

export interface LogConfig {
  target: LogTarget;
  maxbytes: number;
  backups: number;
  captureMaxbytes: number;
  eventsEnabled: boolean;
  syslog: boolean;
}

export interface ServerConfig {
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
}

export interface UnixHttpServerConfig {
  file: string;
  chmod: number;
  chown: { user: string; group: string | null } | null;
  username: string | null;
  password: string | null;
}

export interface InetHttpServerConfig {
  port: string;
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
  /** unix only: chown after bind; null = unchanged. */
  owner: { user: string; group: string | null } | null;
  /** unix only: chmod after bind (default 0o700). */
  mode: number;
  /** tsupervisor: `socket_pass=listen_fds` hands the socket as fd 3 with LISTEN_FDS (systemd style). */
  pass: 'stdin' | 'listen_fds';
}

/** One process (a program with numprocs=N yields N of these). */
export interface ProcessConfig {
  /** The process name after process_name expansion. */
  name: string;
  /** The section name (program_name). */
  programName: string;
  processNum: number;
  /** The command string as written (expanded), and argv after shlex splitting. */
  command: string;
  argv: string[];
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
  user: string | null;
  redirectStderr: boolean;
  stdout: LogConfig;
  stderr: LogConfig;
  environment: Record<string, string>;
  directory: string | null;
  umask: number | null;
  serverurl: string; // 'AUTO' or a URL
  /** tsupervisor: prefix each logged line of output with a timestamp (`log_timestamps=true`). */
  logTimestamps: boolean;
  /** Keys the section held that supervisor does not know (warned about, ignored). */
  origin: Origin;
}

export type GroupKind = 'program' | 'fcgi-program' | 'group' | 'eventlistener';

export interface EventListenerConfig {
  events: string[];
  bufferSize: number;
  resultHandler: string;
}

export interface GroupConfig {
  name: string;
  kind: GroupKind;
  priority: number;
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
  supervisord: ServerConfig;
  unixHttpServer: UnixHttpServerConfig | null;
  inetHttpServer: InetHttpServerConfig | null;
  supervisorctl: CtlConfig | null;
  /** Groups in the order their sections appear. */
  groups: GroupConfig[];
  /** Non-fatal problems (unknown keys, unmatched include globs), logged at start. */
  warnings: string[];
}

/** Records exchanged over the wire. Field names follow supervisor's XML-RPC structs (§7). */
import type { ProcessStateCode, ProcessStateName, SupervisorStateName } from './states.js';

/** supervisor.getProcessInfo: one process. Timestamps are whole seconds since the epoch. */
export interface ProcessInfo {
  name: string;
  group: string;
  description: string;
  start: number;
  stop: number;
  now: number;
  state: ProcessStateCode;
  statename: ProcessStateName;
  spawnerr: string;
  exitstatus: number;
  logfile: string;
  stdout_logfile: string;
  stderr_logfile: string;
  pid: number;
  /** tsupervisor (JSON-RPC only, when depends_on= is set): its words, e.g. `db:ready`. */
  depends_on?: string[];
  /** tsupervisor: what it is held for before its spawn, e.g. `db (ready)`. */
  waiting_for?: string[];
  /** tsupervisor: why it was left STOPPED, e.g. `dependency db is FATAL`. */
  dependency_error?: string;
  /** tsupervisor (JSON-RPC only): ready (RUNNING, after its `ready=` check when it has one). */
  ready?: boolean;
  /** tsupervisor: `healthcheck=`'s verdict while RUNNING; null without a check or when not RUNNING. */
  health?: HealthStatus | null;
  /** tsupervisor: health checks failed in a row. */
  health_failures?: number;
  /** tsupervisor: the process's sd_notify STATUS= text ('' when none). */
  status_text?: string;
}

/** tsupervisor's health of a RUNNING process with `healthcheck=` (docs/readiness.md). */
export type HealthStatus = 'healthy' | 'unhealthy' | 'starting';

/** Result of a group or all-process call: one entry per process (status is a fault code). */
export interface ProcessResult {
  name: string;
  group: string;
  status: number;
  description: string;
}

export interface SupervisorState {
  statecode: number;
  statename: SupervisorStateName;
}

/** supervisor.getAllConfigInfo: one process config. */
export interface ConfigInfo {
  name: string;
  group: string;
  inuse: boolean;
  autostart: boolean;
  autorestart: 'true' | 'false' | 'unexpected';
  command: string;
  directory: string | null;
  exitcodes: number[];
  group_prio: number;
  process_prio: number;
  killasgroup: boolean;
  stopasgroup: boolean;
  redirect_stderr: boolean;
  startretries: number;
  startsecs: number;
  stopsignal: number;
  stopwaitsecs: number;
  uid: number | null;
  serverurl: string;
  stdout_logfile: string;
  stdout_logfile_backups: number;
  stdout_logfile_maxbytes: number;
  stdout_capture_maxbytes: number;
  stdout_events_enabled: boolean;
  stdout_syslog: boolean;
  stderr_logfile: string;
  stderr_logfile_backups: number;
  stderr_logfile_maxbytes: number;
  stderr_capture_maxbytes: number;
  stderr_events_enabled: boolean;
  stderr_syslog: boolean;
}

/** supervisor.reloadConfig: group names compared with the running configuration. */
export interface ReloadResult {
  added: string[];
  changed: string[];
  removed: string[];
}

/** supervisor.tailProcessStdoutLog: [bytes, offset, overflow] as a record. */
export interface TailResult {
  bytes: string;
  offset: number;
  overflow: boolean;
}

/** One line of `update` output, in supervisor's order and words (§8). */
export interface UpdateAction {
  group: string;
  /**
   * stopped: the group was stopped (before removal or replacement)
   * removed: `removed process group`; updated: `updated process group`;
   * added: `added process group`; problems: `has problems; not removing`;
   * nosuchgroup: `ERROR: no such group: NAME`.
   */
  action: 'stopped' | 'removed' | 'updated' | 'added' | 'problems' | 'nosuchgroup';
}

export interface UpdateResult {
  actions: UpdateAction[];
}

export type LogChannel = 'stdout' | 'stderr';

/**
 * What `update` would do to one process (`update --dry-run`, `reread -v`):
 * keep: left running (or stopped) as it is, changed supervision-only keys applied in place;
 * start: a new process, or a stopped one with changed settings and autostart, is started;
 * add: a new process with autostart=false, added stopped;
 * stop: a running process that is no longer configured is stopped and removed, or a changed
 * one with autostart=false is stopped (where supervisor's update leaves it);
 * remove: a stopped process that is no longer configured is removed;
 * restart: a running process whose command, environment, logs, socket … changed is stopped
 * and started with the new settings.
 */
export type ProcessPlanAction = 'keep' | 'start' | 'add' | 'stop' | 'remove' | 'restart';

export interface ProcessPlan {
  /** Process name and the group it is in after the update (before it, for stop/remove). */
  name: string;
  group: string;
  /** Set when the process moves here from another group (a [group:x] edit). */
  fromGroup?: string;
  action: ProcessPlanAction;
  /** Config keys (ini names) that differ; `socket` when its group's socket changed. */
  changed: string[];
  /**
   * tsupervisor, for a process update would start or restart: its depends_on= not met now, each
   * with the dependency's state (`db (ready): STARTING`) or `migrate (exited): started by this
   * update` (update brings up what it needs, as start does); then, when it has a ready= check,
   * what it waits for once spawned (`ready=notify (up to 60 s)`). Absent when it waits for nothing.
   */
  waitsFor?: string[];
}

/** What `update` would do to a group's fcgi socket. */
export interface SocketPlan {
  /** keep: unchanged; update: backlog/mode/owner applied to the live socket; rebind: a new
   * address is bound, workers move over, the old socket is closed; open/close: gained/lost. */
  action: 'keep' | 'update' | 'rebind' | 'open' | 'close';
  from: string | null;
  to: string | null;
  changed: string[];
}

export interface GroupPlan {
  group: string;
  /** reread's words: added = available, removed = disappeared. */
  change: 'added' | 'changed' | 'removed';
  /** Group-level keys that differ (priority, socket_*, events …). */
  changed: string[];
  socket: SocketPlan | null;
  processes: ProcessPlan[];
}

/** tsupervisor.planUpdate: reread's result plus, per group and process, what update would do. */
export interface UpdatePlan extends ReloadResult {
  groups: GroupPlan[];
}

/** tsupervisor.rollingRestart: one worker replaced (or the one that failed). */
export interface RollingStep {
  name: string;
  group: string;
  /** It was running and was stopped first. */
  stopped: boolean;
  /** Faults.SUCCESS when the replacement reached RUNNING, else the start fault's code. */
  status: number;
  description: string;
}

export interface RollingResult {
  steps: RollingStep[];
  /** Namespecs left alone (still running the old process) after a replacement failed. */
  skipped: string[];
}

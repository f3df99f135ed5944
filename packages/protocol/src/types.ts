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
}

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

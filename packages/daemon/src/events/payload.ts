/**
 * Event payloads, rendered exactly as supervisor 4.2.5's events.py renders them, and the
 * envelope (header line) a listener pool writes before each payload. Pure.
 */
import type { LogChannel, ProcessStateName } from '@tsupervisor/protocol';
import { processStateType, type EventType } from './types.js';

export interface EventBody {
  type: EventType;
  /** The key:value fields of the payload's first line, in supervisor's order. */
  fields: Array<[string, string]>;
  /** What follows the first line (log, communication and remote data); absent otherwise. */
  data?: string;
  /** The payload as a listener receives it. */
  text: string;
}

const line = (fields: Array<[string, string]>) => fields.map(([k, v]) => `${k}:${v}`).join(' ');

function body(type: EventType, fields: Array<[string, string]>, data?: string): EventBody {
  const head = line(fields);
  return data === undefined ? { type, fields, text: head } : { type, fields, data, text: `${head}\n${data}` };
}

export interface ProcessStateInfo {
  processname: string;
  groupname: string;
  from: ProcessStateName;
  to: ProcessStateName;
  expected: boolean;
  /** The pid of the child the change is about (0 when none). */
  pid: number;
  /** Failed starts so far (supervisor's `backoff`), for STARTING and BACKOFF. */
  tries: number;
}

/** PROCESS_STATE_*: tries for STARTING/BACKOFF; expected and pid for EXITED; pid for RUNNING/STOPPING/STOPPED. */
export function processStateBody(s: ProcessStateInfo): EventBody {
  const fields: Array<[string, string]> = [
    ['processname', s.processname],
    ['groupname', s.groupname],
    ['from_state', s.from],
  ];
  switch (s.to) {
    case 'STARTING':
    case 'BACKOFF':
      fields.push(['tries', String(s.tries)]);
      break;
    case 'EXITED':
      fields.push(['expected', s.expected ? '1' : '0'], ['pid', String(s.pid)]);
      break;
    case 'RUNNING':
    case 'STOPPING':
    case 'STOPPED':
      fields.push(['pid', String(s.pid)]);
      break;
    default:
      break;
  }
  return body(processStateType(s.to), fields);
}

export interface OutputInfo {
  processname: string;
  groupname: string;
  pid: number;
  channel: LogChannel;
  data: Buffer;
}

/** PROCESS_LOG_STDOUT / _STDERR (stdout_events_enabled / stderr_events_enabled). */
export function processLogBody(o: OutputInfo): EventBody {
  const type = o.channel === 'stdout' ? 'PROCESS_LOG_STDOUT' : 'PROCESS_LOG_STDERR';
  const fields: Array<[string, string]> = [
    ['processname', o.processname],
    ['groupname', o.groupname],
    ['pid', String(o.pid)],
    ['channel', o.channel],
  ];
  return body(type, fields, decodeData(o.data));
}

/** PROCESS_COMMUNICATION_STDOUT / _STDERR: what a child wrote between the capture tokens. */
export function processCommunicationBody(o: OutputInfo): EventBody {
  const type = o.channel === 'stdout' ? 'PROCESS_COMMUNICATION_STDOUT' : 'PROCESS_COMMUNICATION_STDERR';
  const fields: Array<[string, string]> = [
    ['processname', o.processname],
    ['groupname', o.groupname],
    ['pid', String(o.pid)],
  ];
  return body(type, fields, decodeData(o.data));
}

/** REMOTE_COMMUNICATION (supervisor.sendRemoteCommEvent). */
export function remoteCommunicationBody(type: string, data: string): EventBody {
  return body('REMOTE_COMMUNICATION', [['type', type]], data);
}

export function supervisorStateBody(running: boolean): EventBody {
  return body(running ? 'SUPERVISOR_STATE_CHANGE_RUNNING' : 'SUPERVISOR_STATE_CHANGE_STOPPING', []);
}

/** PROCESS_GROUP_ADDED / _REMOVED: `groupname:x` and a newline, nothing after it. */
export function processGroupBody(added: boolean, groupname: string): EventBody {
  const fields: Array<[string, string]> = [['groupname', groupname]];
  return { type: added ? 'PROCESS_GROUP_ADDED' : 'PROCESS_GROUP_REMOVED', fields, text: `${line(fields)}\n` };
}

/**
 * TSUPERVISOR_DEPENDENCY_WAITING (tsupervisor's own): a process held by its depends_on=, with
 * what it waits for as `namespec:condition` words (`waiting_for:db:ready,migrate:exited`).
 */
export function dependencyWaitingBody(processname: string, groupname: string, waitingFor: readonly string[]): EventBody {
  return body('TSUPERVISOR_DEPENDENCY_WAITING', [
    ['processname', processname],
    ['groupname', groupname],
    ['waiting_for', waitingFor.join(',')],
  ]);
}

/** TSUPERVISOR_DEPENDENCY_RELEASED: `outcome:started|failed|cancelled`; a failure's reason as data. */
export function dependencyReleasedBody(processname: string, groupname: string, outcome: string, reason: string | null): EventBody {
  const fields: Array<[string, string]> = [
    ['processname', processname],
    ['groupname', groupname],
    ['outcome', outcome],
  ];
  return body('TSUPERVISOR_DEPENDENCY_RELEASED', fields, reason ?? undefined);
}

/**
 * TSUPERVISOR_READINESS_WAITING: a spawn is STARTING until its ready= check passes (RUNNING) or
 * `timeout` seconds pass (no pid: STARTING comes before the spawn, as in supervisor); the check as data (`ready=tcp:127.0.0.1:8080`: it may hold spaces).
 */
export function readinessWaitingBody(processname: string, groupname: string, timeout: number, check: string): EventBody {
  const fields: Array<[string, string]> = [
    ['processname', processname],
    ['groupname', groupname],
    ['timeout', String(timeout)],
  ];
  return body('TSUPERVISOR_READINESS_WAITING', fields, `ready=${check}`);
}

export type TickPeriod = 5 | 60 | 3600;

export function tickBody(period: TickPeriod, when: number): EventBody {
  return body(`TICK_${period}`, [['when', String(when)]]);
}

export interface Envelope {
  identifier: string;
  serial: number;
  pool: string;
  poolserial: number;
  type: EventType;
  payload: string;
}

/**
 * The header line and payload a listener reads. `len` counts characters (code points), as
 * supervisor's Python `len(payload)` does, which is what childutils reads with `read(len)`.
 */
export function envelope(e: Envelope): string {
  const len = characterCount(e.payload);
  return `ver:3.0 server:${e.identifier} serial:${e.serial} pool:${e.pool} poolserial:${e.poolserial} eventname:${e.type} len:${len}\n${e.payload}`;
}

export function characterCount(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Output bytes as text; not UTF-8 → `Undecodable: b'…'` (supervisor's as_string fallback). */
export function decodeData(data: Buffer): string {
  try {
    return utf8.decode(data);
  } catch {
    return `Undecodable: ${pyBytesRepr(data)}`;
  }
}

/** Python's repr() of a bytes object. */
export function pyBytesRepr(data: Buffer): string {
  const quote = data.includes(0x27) && !data.includes(0x22) ? '"' : "'";
  let out = `b${quote}`;
  for (const b of data) {
    if (b === 0x5c) out += '\\\\';
    else if (b === 0x09) out += '\\t';
    else if (b === 0x0a) out += '\\n';
    else if (b === 0x0d) out += '\\r';
    else if (b === quote.charCodeAt(0)) out += `\\${quote}`;
    else if (b >= 0x20 && b < 0x7f) out += String.fromCharCode(b);
    else out += `\\x${b.toString(16).padStart(2, '0')}`;
  }
  return `${out}${quote}`;
}

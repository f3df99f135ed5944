/**
 * Faults carry supervisor's stable integer codes (xmlrpc.py Faults). On the wire a fault is a
 * JSON-RPC error object whose `code` is one of these numbers, whose `message` is supervisor's
 * fault string, `NAME: detail` (e.g. `BAD_NAME: foo`), for people and XML-RPC clients, and whose
 * `data` is `{detail}`, so that a program reads the detail without parsing the text.
 */
export const Faults = {
  UNKNOWN_METHOD: 1,
  INCORRECT_PARAMETERS: 2,
  BAD_ARGUMENTS: 3,
  SIGNATURE_UNSUPPORTED: 4,
  SHUTDOWN_STATE: 6,
  BAD_NAME: 10,
  BAD_SIGNAL: 11,
  NO_FILE: 20,
  NOT_EXECUTABLE: 21,
  FAILED: 30,
  ABNORMAL_TERMINATION: 40,
  SPAWN_ERROR: 50,
  ALREADY_STARTED: 60,
  NOT_RUNNING: 70,
  SUCCESS: 80,
  ALREADY_ADDED: 90,
  STILL_RUNNING: 91,
  CANT_REREAD: 92,
  /** tsupervisor: the client did not authenticate (supervisor answers HTTP 401). */
  UNAUTHORIZED: 401,
} as const;

export type FaultName = keyof typeof Faults;
export type FaultCode = (typeof Faults)[FaultName];

export function faultName(code: number): FaultName | undefined {
  for (const [name, value] of Object.entries(Faults)) {
    if (value === code) return name as FaultName;
  }
  return undefined;
}

/** The one error type for supervisor faults, thrown by handlers and raised by the client. */
export class RPCFault extends Error {
  readonly code: number;
  /** The detail after `NAME: ` (supervisor's RPCError.text without the prefix). */
  readonly detail: string;

  constructor(code: number, detail = '') {
    const name = faultName(code) ?? 'UNKNOWN';
    super(detail ? `${name}: ${detail}` : name);
    this.name = 'RPCFault';
    this.code = code;
    this.detail = detail;
  }
}

/** The `data` of a fault's JSON-RPC error. */
export interface FaultData {
  detail: string;
}

export function faultData(fault: RPCFault): FaultData {
  return { detail: fault.detail };
}

/**
 * The fault a JSON-RPC error stands for. Its detail comes from `data`; a tsupervisord older
 * than `data` sent only the text, `NAME` or `NAME: detail`, whose name the code gives. Any other
 * error (a JSON-RPC framing error) keeps its whole message as the detail.
 */
export function faultFromError(code: number, message: string, data?: unknown): RPCFault {
  if (data !== null && typeof data === 'object' && typeof (data as FaultData).detail === 'string') {
    return new RPCFault(code, (data as FaultData).detail);
  }
  const name = faultName(code);
  if (name !== undefined && message === name) return new RPCFault(code);
  if (name !== undefined && message.startsWith(`${name}: `)) return new RPCFault(code, message.slice(name.length + 2));
  return new RPCFault(code, message);
}

/** JSON-RPC 2.0 framing errors (spec codes), used for malformed frames, not domain faults. */
export const JsonRpcErrors = {
  PARSE_ERROR: -32700,
  INVALID_REQUEST: -32600,
  METHOD_NOT_FOUND: -32601,
  INVALID_PARAMS: -32602,
  INTERNAL_ERROR: -32603,
  FRAME_TOO_LARGE: -32001,
} as const;

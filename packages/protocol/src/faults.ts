/**
 * Faults carry supervisor's stable integer codes (xmlrpc.py Faults). On the wire a fault is a
 * JSON-RPC error object whose `code` is one of these numbers and whose `message` is supervisor's
 * fault string, `NAME: detail` (e.g. `BAD_NAME: foo`).
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

/** JSON-RPC 2.0 framing errors (spec codes), used for malformed frames, not domain faults. */
export const JsonRpcErrors = {
  PARSE_ERROR: -32700,
  INVALID_REQUEST: -32600,
  METHOD_NOT_FOUND: -32601,
  INVALID_PARAMS: -32602,
  INTERNAL_ERROR: -32603,
  FRAME_TOO_LARGE: -32001,
} as const;

/**
 * The one place where faults, result codes and connection errors become text and exit codes,
 * as supervisorctl 4.2.5 prints them.
 */
import { ErrorCodes, Faults, JsonRpcErrors, NoAnswer, NotOurProtocol, PythonError, RPCFault, hasCode, makeNamespec, pyRepr } from '@tsupervisor/protocol';

/** LSB init-script exit statuses (supervisorctl's LSBInitExitStatuses). */
export const Exit = {
  SUCCESS: 0,
  GENERIC: 1,
  INVALID_ARGS: 2,
  UNIMPLEMENTED_FEATURE: 3,
  INSUFFICIENT_PRIVILEGES: 4,
  NOT_INSTALLED: 5,
  NOT_RUNNING: 7,
} as const;

/** `status`'s own exit statuses (LSBStatusExitStatuses). */
export const StatusExit = { NOT_RUNNING: 3, UNKNOWN: 4 } as const;

const DEAD_PROGRAM_FAULTS: readonly number[] = [Faults.SPAWN_ERROR, Faults.ABNORMAL_TERMINATION, Faults.NOT_RUNNING];

/**
 * The exit status after one result code (set_exitstatus_from_xmlrpc_fault): success and the
 * ignored code leave it alone, a dead program gives 7, anything else 1.
 */
export function exitAfterResult(current: number, code: number, ignored?: number): number {
  if (code === ignored || code === Faults.SUCCESS) return current;
  if (DEAD_PROGRAM_FAULTS.includes(code)) return Exit.NOT_RUNNING;
  return Exit.GENERIC;
}

/** One process's outcome: a group call's entry, or a single call's fault turned into one. */
export interface Outcome {
  name: string | null;
  group: string;
  status: number;
  description: string;
}

/**
 * A Python exception as supervisorctl's onecmd prints it (`error: <class 'T'>, V: file: F line:
 * L`), and Python's repr() of a str: both from @tsupervisor/protocol, which the daemon shares.
 */
export { PythonError, pyRepr };

const CTL_PY = '/usr/lib/python3/dist-packages/supervisor/supervisorctl.py';
const XMLRPC_PY = '/usr/lib/python3/dist-packages/supervisor/xmlrpc.py';

function unknownResult(code: number, name: string, line: number): PythonError {
  return new PythonError('ValueError', `Unknown result code ${code} for ${name}`, CTL_PY, line);
}

const START_ERRORS: Record<number, string> = {
  [Faults.BAD_NAME]: 'no such process',
  [Faults.NO_FILE]: 'no such file',
  [Faults.NOT_EXECUTABLE]: 'file is not executable',
  [Faults.ALREADY_STARTED]: 'already started',
  [Faults.SPAWN_ERROR]: 'spawn error',
  [Faults.ABNORMAL_TERMINATION]: 'abnormal termination',
};

/** `name: started` / `name: ERROR (…)` (_startresult). */
export function startResultText(r: Outcome): string {
  const name = makeNamespec(r.group, r.name);
  if (r.status === Faults.SUCCESS) return `${name}: started`;
  const why = START_ERRORS[r.status];
  if (why !== undefined) return `${name}: ERROR (${why})`;
  throw unknownResult(r.status, name, 761);
}

const SIGNAL_ERRORS: Record<number, string> = {
  [Faults.BAD_NAME]: 'no such process',
  [Faults.BAD_SIGNAL]: 'bad signal name',
  [Faults.NOT_RUNNING]: 'not running',
};

/** `name: signalled` (or `stopped`) / `name: ERROR (…)` / a FAILED fault's text (_signalresult). */
export function signalResultText(r: Outcome, success: 'signalled' | 'stopped' = 'signalled'): string {
  const name = makeNamespec(r.group, r.name);
  if (r.status === Faults.SUCCESS) return `${name}: ${success}`;
  const why = SIGNAL_ERRORS[r.status];
  if (why !== undefined) return `${name}: ERROR (${why})`;
  if (r.status === Faults.FAILED) return r.description;
  throw unknownResult(r.status, name, 835);
}

/** `name: cleared` / `name: ERROR (…)` (_clearresult). */
export function clearResultText(r: Outcome): string {
  const name = makeNamespec(r.group, r.name);
  if (r.status === Faults.SUCCESS) return `${name}: cleared`;
  if (r.status === Faults.BAD_NAME) return `${name}: ERROR (no such process)`;
  if (r.status === Faults.FAILED) return `${name}: ERROR (failed)`;
  throw unknownResult(r.status, name, 1260);
}

/** A single-process call's fault as the outcome supervisorctl builds from it. */
export function faultOutcome(fault: RPCFault, group: string, process: string | null): Outcome {
  return { name: process, group, status: fault.code, description: fault.message };
}

/** `<Fault 92: 'CANT_REREAD: …'>`: str() of an xmlrpclib.Fault. */
export function faultRepr(fault: RPCFault): string {
  return `<Fault ${fault.code}: ${pyRepr(fault.message)}>`;
}

/** A connection that could not be made (the socket error's code: ENOENT, ECONNREFUSED …). */
export class ConnectError extends Error {
  /** `tcp`: an http:// server URL (Python fails in socket.py rather than in supervisor's xmlrpc.py). */
  constructor(readonly code: string, message: string, readonly tcp = false) {
    super(message);
  }
}

/** An http:// server URL with no usable host and port. */
export class UnsupportedUrl extends Error {
  constructor(readonly url: string, noConfig = false) {
    super(
      `Error: ${url} is not a server URL tsupervisorctl can use (http://host:port or unix:///path/to/socket)` +
        (noConfig ? '; no config file was found (use -c FILE)' : ''),
    );
  }
}

const ERRNO: Record<string, [pyClass: string, errno: number, text: string]> = {
  ENOENT: ['FileNotFoundError', 2, 'No such file or directory'],
  ECONNREFUSED: ['ConnectionRefusedError', 111, 'Connection refused'],
  EACCES: ['PermissionError', 13, 'Permission denied'],
  EPERM: ['PermissionError', 1, 'Operation not permitted'],
  ENOTDIR: ['NotADirectoryError', 20, 'Not a directory'],
  ENOTSOCK: ['OSError', 88, 'Socket operation on non-socket'],
  ECONNRESET: ['ConnectionResetError', 104, 'Connection reset by peer'],
  EPIPE: ['BrokenPipeError', 32, 'Broken pipe'],
  ENAMETOOLONG: ['OSError', 36, 'File name too long'],
};

/** The line supervisorctl prints for an exception no command handled (onecmd's catch-all). */
export function unexpectedErrorLine(err: unknown, serverurl = ''): string {
  if (err instanceof PythonError) return err.render();
  if (err instanceof NoAnswer) {
    return `Error: the daemon at ${serverurl} accepted the connection but did not answer in ${err.seconds} s: it is too busy or stuck (its log may say why)`;
  }
  if (err instanceof NotOurProtocol) {
    return `Error: ${serverurl} does not speak tsupervisord's protocol (it answered '${err.firstLine}'): is it supervisord's socket? (supervisorctl speaks its XML-RPC over HTTP)`;
  }
  // The daemon failed inside a method (supervisord: an exception in the handler, which its
  // XML-RPC server answers with 500).
  if (err instanceof RPCFault && err.code === JsonRpcErrors.INTERNAL_ERROR) {
    return new PythonError('xmlrpc.client.ProtocolError', '<ProtocolError for 127.0.0.1/RPC2: 500 Internal Server Error>', XMLRPC_PY, 539).render();
  }
  if (err instanceof RPCFault) {
    return new PythonError('xmlrpc.client.Fault', faultRepr(err), '/usr/lib/python3.11/xmlrpc/client.py', 668).render();
  }
  if (err instanceof ConnectError) {
    const known = ERRNO[err.code];
    const [cls, errno, text] = known ?? ['OSError', 0, err.message];
    const [file, line] = err.tcp ? ['/usr/lib/python3.11/socket.py', 836] : [XMLRPC_PY, 557];
    return new PythonError(cls, `[Errno ${errno}] ${text}`, file, line).render();
  }
  if (hasCode(err, ErrorCodes.CONNECTION_CLOSED)) {
    return new PythonError(
      'http.client.RemoteDisconnected',
      'Remote end closed connection without response',
      '/usr/lib/python3.11/http/client.py',
      287,
    ).render();
  }
  const message = err instanceof Error ? err.message : String(err);
  return new PythonError(err instanceof Error ? err.constructor.name : 'Exception', message, CTL_PY, 0).render();
}

/**
 * A string as supervisorctl receives it through XML-RPC: the response is an XML document, so
 * line ends come out as \n (XML end-of-line handling) and a character XML 1.0 does not allow
 * (ESC of colour codes, other C0 controls) makes expat fail, at its line and column in the
 * response (`<value><string>` opens line 5; &, <, > and non-ASCII characters count as the
 * escapes and character references supervisord sends).
 */
export function viaXmlRpc(s: string): string {
  let line = 5;
  let column = 15;
  for (let i = 0; i < s.length; i++) {
    const cp = s.codePointAt(i)!;
    if (cp > 0xffff) i++;
    const allowed = cp === 9 || cp === 10 || cp === 13 || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || cp >= 0x10000;
    if (!allowed) {
      throw new PythonError(
        'xml.parsers.expat.ExpatError',
        `not well-formed (invalid token): line ${line}, column ${column}`,
        '/usr/lib/python3.11/xmlrpc/client.py',
        451,
      );
    }
    if (cp === 10 || cp === 13) {
      if (cp === 13 && s[i + 1] === '\n') i++;
      line++;
      column = 0;
    } else if (cp > 0x7f) column += `&#${cp};`.length;
    else column += cp === 38 ? 5 : cp === 60 || cp === 62 ? 4 : 1;
  }
  return s.replace(/\r\n?/g, '\n');
}

/** Python's input() at end of input, raised at supervisorctl.py's line `pyLine`. */
export function eofError(pyLine: number): PythonError {
  return new PythonError('EOFError', 'EOF when reading a line', CTL_PY, pyLine);
}

/** supervisor's SupervisorTransport refuses a server URL that is neither http:// nor unix://. */
export function unknownProtocol(serverurl: string): PythonError {
  return new PythonError('ValueError', `Unknown protocol for serverurl ${serverurl}`, XMLRPC_PY, 505);
}

/** The ProtocolError line an unauthenticated call ends with (after `Server requires authentication`). */
export const UNAUTHORIZED_LINE = new PythonError(
  'xmlrpc.client.ProtocolError',
  '<ProtocolError for 127.0.0.1/RPC2: 401 Unauthorized>',
  XMLRPC_PY,
  539,
).render();

export function isUnauthorized(err: unknown): boolean {
  return err instanceof RPCFault && err.code === Faults.UNAUTHORIZED;
}

export function isFault(err: unknown, code?: number): err is RPCFault {
  return err instanceof RPCFault && (code === undefined || err.code === code);
}

/** upcheck's texts. */
export const Upcheck = {
  refused: (url: string) => `${url} refused connection`,
  noSuchFile: (url: string) => `${url} no such file`,
  apiMismatch: (expected: string, actual: string) =>
    `Sorry, this version of supervisorctl expects to talk to a server with API version ${expected}, ` +
    `but the remote version is ${actual}.`,
  unknownMethod:
    'Sorry, supervisord responded but did not recognize the supervisor namespace commands that ' +
    'supervisorctl uses to control it.  Please check that the [rpcinterface:supervisor] section is ' +
    'enabled in the configuration file (see sample.conf).',
};

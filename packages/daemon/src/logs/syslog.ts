/**
 * Syslog as supervisor 4.2.5 sends it. Its SyslogHandler (loggers.py) calls Python's
 * syslog.syslog(msg), i.e. glibc's syslog(LOG_INFO) after an implicit openlog(basename of
 * argv[0], 0, LOG_USER): one datagram per line on the unix socket /dev/log,
 *
 *   `<14>Nov 26 19:42:47 supervisord: MESSAGE`
 *
 * (facility user, priority info, ident `supervisord`, no pid, local time as `%h %e %T`). The
 * ident stays `supervisord`, so syslog rules written for supervisord (`$programname ==
 * 'supervisord'`) keep matching. Each record is split at its newlines after trailing ones are
 * cut (`message.rstrip('\n').split('\n')`), every line formatted and sent on its own:
 *
 * - a child's output (`stdout_syslog=true`, `stderr_syslog=true`, or the deprecated
 *   `stdout_logfile=syslog`): `NAME LINE` per line of each chunk read (childOutputLines);
 * - the main log (`[supervisord] logfile=syslog`): `2026-11-26 19:42:47,382 INFO LINE\n` per
 *   line, the newline included, as supervisord's format has it (mainLogLines).
 *
 * Unlike glibc, nothing here ever blocks the event loop: datagrams go with MSG_DONTWAIT
 * through the native addon (Node has no unix datagram sockets). When nobody listens at the
 * path (no /dev/log in a container) or the receiver's queue is full, the line is dropped;
 * `report` hears of it once per incident (at most once a minute), and of the number dropped when
 * sending works again.
 * The socket is unconnected, so a restarted syslog daemon is reached without a reopen.
 *
 * TSUPERVISORD_SYSLOG_SOCKET (for tests only) replaces /dev/log.
 */
import { dgramSend, dgramSocket } from '../native/index.js';

export const SYSLOG_SOCKET_ENV = 'TSUPERVISORD_SYSLOG_SOCKET';
export const DEFAULT_SYSLOG_SOCKET = '/dev/log';
/** The ident supervisord's Python gets from its argv[0]. */
export const SYSLOG_IDENT = 'supervisord';
/** LOG_USER | LOG_INFO */
const PRIORITY = 14;
/** At most one incident report per minute. */
const REPORT_INTERVAL_MS = 60_000;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** The socket syslog lines go to: $TSUPERVISORD_SYSLOG_SOCKET (tests) or /dev/log. */
export function syslogSocketPath(): string {
  return process.env[SYSLOG_SOCKET_ENV] || DEFAULT_SYSLOG_SOCKET;
}

const two = (n: number) => String(n).padStart(2, '0');

/** glibc's `<14>Nov  6 09:01:02 supervisord: ` for `at` in local time. */
export function syslogHeader(at: Date, ident = SYSLOG_IDENT): string {
  const day = String(at.getDate()).padStart(2, ' ');
  const time = `${two(at.getHours())}:${two(at.getMinutes())}:${two(at.getSeconds())}`;
  return `<${PRIORITY}>${MONTHS[at.getMonth()]} ${day} ${time} ${ident}: `;
}

/** The lines of one record as supervisor's SyslogHandler splits them (rstrip('\n'), split). */
function splitBytes(data: Buffer): Buffer[] {
  let end = data.length;
  while (end > 0 && data[end - 1] === 0x0a) end--;
  const lines: Buffer[] = [];
  let start = 0;
  for (;;) {
    const nl = data.indexOf(0x0a, start);
    if (nl < 0 || nl >= end) {
      lines.push(data.subarray(start, end));
      return lines;
    }
    lines.push(data.subarray(start, nl));
    start = nl + 1;
  }
}

/** A chunk of a child's output as supervisor logs it to syslog: `NAME LINE` per line. */
export function childOutputLines(processName: string, chunk: Buffer): Buffer[] {
  const prefix = Buffer.from(`${processName} `);
  return splitBytes(chunk).map((line) => Buffer.concat([prefix, line]));
}

/** A main-log record as supervisor sends it: `TIME LEVEL LINE\n` per line of the message. */
export function mainLogLines(time: string, level: string, message: string): string[] {
  return message
    .replace(/\n+$/, '')
    .split('\n')
    .map((line) => `${time} ${level} ${line}\n`);
}

let sharedFd = -1;

function socketFd(): number {
  if (sharedFd < 0) sharedFd = dgramSocket();
  return sharedFd;
}

export interface SyslogOptions {
  /** Default: syslogSocketPath() at construction. */
  path?: string;
  now?: () => Date;
  /** Told once per incident (and on recovery): must not send to this Syslog itself. */
  report?: (message: string) => void;
}

export class Syslog {
  readonly path: string;
  private readonly now: () => Date;
  private readonly report: (message: string) => void;
  /** The errno of the incident in progress, or null while lines go through. */
  private failing: string | null = null;
  /** Lines dropped since the last report of a recovery. */
  private dropped = 0;
  private reported = false;
  private lastReport = -Infinity;

  constructor(opts: SyslogOptions = {}) {
    this.path = opts.path ?? syslogSocketPath();
    this.now = opts.now ?? (() => new Date());
    this.report = opts.report ?? ((m) => process.stderr.write(`tsupervisord: ${m}\n`));
  }

  /** Sends each line as one datagram with the syslog header. Never throws, never blocks. */
  send(lines: ReadonlyArray<string | Buffer>, at: Date = this.now()): void {
    const header = Buffer.from(syslogHeader(at));
    for (const line of lines) {
      let err: string | null;
      try {
        err = dgramSend(socketFd(), this.path, Buffer.concat([header, typeof line === 'string' ? Buffer.from(line) : line]));
      } catch (e) {
        err = (e as Error).message; // no socket (EMFILE), or an addon older than this code
      }
      if (err === null) this.sent();
      else this.lost(err);
    }
  }

  private sent(): void {
    if (this.failing === null) return;
    this.failing = null;
    if (!this.reported) return;
    this.reported = false;
    this.report(`syslog ${this.path} reachable again; ${this.dropped} lines were dropped`);
    this.dropped = 0;
  }

  private lost(err: string): void {
    this.dropped++;
    if (this.failing !== null) return;
    this.failing = err;
    // A receiver that keeps falling behind (EAGAIN) would make an incident of every burst.
    const now = Date.now();
    if (now - this.lastReport < REPORT_INTERVAL_MS) return;
    this.lastReport = now;
    this.reported = true;
    this.report(`cannot send to syslog ${this.path} (${err}); lines for it are dropped until it can`);
  }
}

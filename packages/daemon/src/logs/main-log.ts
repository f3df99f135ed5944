/**
 * The daemon's own log (options.py make_logger, loggers.py): lines
 * `2026-11-26 16:20:06,123 INFO message`, levels critical … blather, a rotating `logfile`,
 * an echo to stdout when `nodaemon` and not `silent`.
 *
 * Each line is written synchronously when nothing else is pending, so a crash right after a
 * log call still has it. With `logfile=syslog` each line goes to syslog instead of a file, as
 * supervisor sends it (syslog.ts: `<14>Nov 26 19:42:47 supervisord: 2026-11-26 19:42:47,382 INFO
 * message\n`, one datagram per line of a message); the stdout echo and followers are unchanged.
 */
import { existsSync, unlinkSync } from 'node:fs';
import { Faults, RPCFault, type TailResult } from '@tsupervisor/protocol';
import type { SupervisordConfig } from '../config/types.js';
import { readLog, tailLog, type LogHead } from './read.js';
import { RotatingFile } from './rotating-file.js';
import { mainLogLines, Syslog } from './syslog.js';
import { formatLogTime } from './timestamp.js';

export type LogLevelName = SupervisordConfig['loglevel'];

/** supervisor's LevelsByDescription. */
export const LogLevels: Record<LogLevelName, number> = {
  critical: 50,
  error: 40,
  warn: 30,
  info: 20,
  debug: 10,
  trace: 5,
  blather: 3,
};

/** supervisor's LevelsByName, as printed in each line. */
const LEVEL_LABELS: Record<LogLevelName, string> = {
  critical: 'CRIT',
  error: 'ERRO',
  warn: 'WARN',
  info: 'INFO',
  debug: 'DEBG',
  trace: 'TRAC',
  blather: 'BLAT',
};

/** `2026-11-26 16:20:06,123 INFO message\n` */
export function formatLogLine(level: LogLevelName, message: string, at: Date): string {
  return `${formatLogTime(at)} ${LEVEL_LABELS[level]} ${message}\n`;
}

export interface MainLogOptions {
  /** Path of the log file; null = none; `syslog` = to syslog, no file. */
  logfile: string | null;
  maxbytes: number;
  backups: number;
  level: LogLevelName;
  /** Echo every line to stdout (nodaemon && !silent). */
  echo: boolean;
  /** Every line as written (followers of `maintail -f`). Must not throw. */
  onLine?: (line: string) => void;
  /**
   * The log file cannot be opened or written (once per incident). Default: a line on stderr.
   * At startup the daemon may prefer to exit, as supervisor does when it cannot open its log.
   */
  onFileError?: (err: NodeJS.ErrnoException) => void;
  /** Where the echo goes (default process.stdout); tests pass their own. */
  stdout?: { write(data: string): unknown };
  now?: () => Date;
  retryDelayMs?: number;
  /** With logfile=syslog: the socket (default $TSUPERVISORD_SYSLOG_SOCKET or /dev/log). */
  syslogPath?: string;
}

/** Builds the main log from [supervisord] settings. */
export function mainLogOptions(config: SupervisordConfig): MainLogOptions {
  return {
    logfile: config.logfile,
    maxbytes: config.logfileMaxbytes,
    backups: config.logfileBackups,
    level: config.loglevel,
    echo: config.nodaemon && !config.silent,
  };
}

let stdoutGuarded = false;

/** A closed stdout (EPIPE) must not crash the daemon; supervisor ignores it too. */
function ignoreStdoutEpipe(): void {
  if (stdoutGuarded) return;
  stdoutGuarded = true;
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') process.stderr.write(`tsupervisord: stdout: ${err.message}\n`);
  });
}

export class MainLog {
  level: LogLevelName;
  private readonly opts: MainLogOptions;
  private file: RotatingFile | null = null;
  private syslog: Syslog | null = null;

  constructor(opts: MainLogOptions) {
    this.opts = opts;
    this.level = opts.level;
    const path = opts.logfile;
    if (path !== null && path !== 'syslog') {
      this.file = new RotatingFile(path, {
        maxbytes: opts.maxbytes,
        backups: opts.backups,
        retryDelayMs: opts.retryDelayMs,
        // The log cannot report its own failure to itself: stderr is what is left.
        onError: (err) =>
          opts.onFileError ? opts.onFileError(err) : process.stderr.write(`tsupervisord: cannot write ${path}: ${err.message}\n`),
        onRecover: (dropped) => this.warn(`log file ${path} writable again; ${dropped} bytes were lost`),
      });
    }
    if (opts.echo && !opts.stdout) ignoreStdoutEpipe();
    // The log cannot report a syslog failure to itself either.
    if (path === 'syslog') this.syslog = new Syslog({ path: opts.syslogPath, now: opts.now });
  }

  /** The file path, or null (none, or syslog). */
  get path(): string | null {
    return this.file?.path ?? null;
  }

  enabled(level: LogLevelName): boolean {
    return LogLevels[level] >= LogLevels[this.level];
  }

  log(level: LogLevelName, message: string): void {
    if (!this.enabled(level)) return;
    const at = (this.opts.now ?? (() => new Date()))();
    const line = formatLogLine(level, message, at);
    if (this.opts.echo) (this.opts.stdout ?? process.stdout).write(line);
    this.file?.writeSync(Buffer.from(line));
    this.syslog?.send(mainLogLines(formatLogTime(at), LEVEL_LABELS[level], message), at);
    if (this.opts.onLine) {
      try {
        this.opts.onLine(line);
      } catch {
        // a follower's bug must not break logging
      }
    }
  }

  critical(message: string): void {
    this.log('critical', message);
  }
  error(message: string): void {
    this.log('error', message);
  }
  warn(message: string): void {
    this.log('warn', message);
  }
  info(message: string): void {
    this.log('info', message);
  }
  debug(message: string): void {
    this.log('debug', message);
  }
  trace(message: string): void {
    this.log('trace', message);
  }
  blather(message: string): void {
    this.log('blather', message);
  }

  /** SIGUSR2 (options.reopenlogs): logs `supervisord logreopen`, then reopens the file. */
  async reopen(): Promise<void> {
    this.info('supervisord logreopen');
    await this.file?.reopen();
  }

  /**
   * clearLog: removes the file and reopens it. As supervisor, `reopening log file` is logged
   * between the two (so it reaches the echo but not the new, empty file). NO_FILE without a
   * file, FAILED if it cannot be removed.
   */
  async clear(): Promise<void> {
    const path = this.path;
    if (path === null || !existsSync(path)) throw new RPCFault(Faults.NO_FILE);
    if (this.file!.rotatable) {
      try {
        unlinkSync(path);
      } catch {
        throw new RPCFault(Faults.FAILED);
      }
    }
    this.info('reopening log file');
    await this.file!.reopen();
  }

  /** readLog(offset, length): NO_FILE without a file, BAD_ARGUMENTS, FAILED. */
  read(offset: number, length: number): Promise<string> {
    return readLog(this.path, offset, length);
  }

  /** The last `bytes` bytes as of now, for `maintail -f` (see RotatingFile.head); NO_FILE without a file. */
  async head(bytes: number): Promise<LogHead> {
    const head = await this.file?.head(bytes);
    if (!head) throw new RPCFault(Faults.NO_FILE);
    return head;
  }

  /** Like tailProcessStdoutLog, for the main log (maintail). */
  tail(offset: number, length: number): Promise<TailResult> {
    return tailLog(this.path, offset, length);
  }

  async close(): Promise<void> {
    await this.file?.close();
  }
}

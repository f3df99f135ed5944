/**
 * A process's log files: one per channel (AUTO, NONE or a path), rotated as configured, kept
 * across restarts of the process (like supervisor), fed by captureOutput with backpressure.
 * A channel with `*_syslog=true` also sends each chunk to syslog, `NAME LINE` per line
 * (logs/syslog.ts), whatever its file target.
 */
import type { Readable } from 'node:stream';
import { Faults, RPCFault, type LogChannel } from '@tsupervisor/protocol';
import type { LogConfig, ProcessConfig } from '../config/types.js';
import type { Logger } from '../logger.js';
import { decodeData } from '../events/payload.js';
import { autoLogPath, captureOutput, readLog, RotatingFile, tailLog } from '../logs/index.js';
import { childOutputLines, Syslog } from '../logs/syslog.js';
import type { ChildOutput } from './output.js';

export interface ChildLogOptions {
  process: ProcessConfig;
  childlogdir: string;
  identifier: string;
  stripAnsi: boolean;
  logger: Logger;
  /** An event listener: its stdout is the protocol channel, which supervisor sends to no syslog. */
  listener?: boolean;
  /** Every chunk as logged, for followers and events. */
  onData(channel: LogChannel, chunk: Buffer): void;
}

function openLog(cfg: LogConfig, channel: LogChannel, o: ChildLogOptions): RotatingFile | null {
  let path: string;
  switch (cfg.target.kind) {
    case 'none':
    case 'syslog':
      return null;
    case 'auto':
      try {
        path = autoLogPath(o.childlogdir, o.process.name, channel, o.identifier);
      } catch (err) {
        o.logger.log('error', `${o.process.name}: cannot create ${channel} log in ${o.childlogdir}: ${(err as Error).message}`);
        return null;
      }
      break;
    case 'path':
      path = cfg.target.path;
      break;
  }
  return new RotatingFile(path, {
    maxbytes: cfg.maxbytes,
    backups: cfg.backups,
    onError: (err) => o.logger.log('error', `${o.process.name}: cannot write ${channel} log ${path}: ${err.message}`),
    onRecover: (dropped) => o.logger.log('warn', `${o.process.name}: ${channel} log ${path} writable again; ${dropped} bytes were lost`),
  });
}

/** One sender for every child (its trouble is reported once, to the main log). */
let childSyslog: Syslog | null = null;
let syslogReporter: Logger | null = null;

function syslogFor(logger: Logger): Syslog {
  syslogReporter = logger;
  childSyslog ??= new Syslog({ report: (m) => syslogReporter?.log('warn', m) });
  return childSyslog;
}

export function childLogs(o: ChildLogOptions): ChildOutput {
  const cfg = o.process;
  const stdout = openLog(cfg.stdout, 'stdout', o);
  const stderr = cfg.redirectStderr ? null : openLog(cfg.stderr, 'stderr', o);
  // redirect_stderr: stderr arrives on the stdout channel, so stdout_syslog decides (as supervisor)
  const syslog = {
    stdout: cfg.stdout.syslog && !o.listener ? syslogFor(o.logger) : null,
    stderr: cfg.stderr.syslog ? syslogFor(o.logger) : null,
  };
  const fileOf = (channel: LogChannel) => (channel === 'stdout' ? stdout : stderr);
  const pathOf = (channel: LogChannel) => {
    const f = fileOf(channel);
    if (!f) throw new RPCFault(Faults.NO_FILE, cfg.name);
    return f.path;
  };
  const capture = (stream: Readable | null, channel: LogChannel, sink: RotatingFile | null) =>
    stream
      ? captureOutput(stream, sink, {
          stripAnsi: o.stripAnsi,
          timestamps: cfg.logTimestamps,
          onData: (chunk) => {
            syslog[channel]?.send(childOutputLines(cfg.name, chunk));
            o.onData(channel, chunk);
          },
        })
      : Promise.resolve();
  return {
    stdoutPath: stdout?.path ?? '',
    stderrPath: stderr?.path ?? '',
    async attach(out, err) {
      await Promise.all([capture(out, 'stdout', stdout), capture(err, cfg.redirectStderr ? 'stdout' : 'stderr', cfg.redirectStderr ? stdout : stderr)]);
    },
    read: (channel, offset, length) => readLog(pathOf(channel), offset, length),
    // supervisor: no file (NONE, redirected stderr) tails as ['', 0, false], unlike read (NO_FILE)
    tail: (channel, offset, length) => tailLog(fileOf(channel)?.path ?? null, offset, length),
    async clear() {
      await Promise.all([stdout?.clear(), stderr?.clear()]);
    },
    async reopen() {
      await Promise.all([stdout?.reopen(), stderr?.reopen()]);
    },
    async close() {
      await Promise.all([stdout?.close(), stderr?.close()]);
    },
  };
}

/**
 * supervisor's log_to_mainlog: at loglevel debug (or lower) every chunk a child writes is also
 * a DEBG line of the main log, `'name' stdout output:` then the data (Python's repr of the bytes
 * when they are not UTF-8), whether or not the channel has a log file.
 */
export function outputEcho(processName: string, channel: LogChannel, chunk: Buffer): string {
  return `'${processName}' ${channel} output:\n${decodeData(chunk)}`;
}

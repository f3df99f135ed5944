/**
 * Following logs without polling: a connection of its own asks `tsupervisor.followLogs` and the
 * daemon pushes `tsupervisor.log` notifications. Like supervisor's /logtail, each log starts
 * with its last 1024 bytes, read by the daemon at the point where the pushed output begins.
 * Used by `tail -f`, `maintail -f` and `fg`.
 *
 * The daemon reads the log file at this client's pace, so nothing is dropped for being slow;
 * what rotation deleted before it was read is announced (`skipped`, told on stderr), and a follow
 * the daemon ends says why (`end`). The caller reports any end but the user's Ctrl-C.
 */
import type { LogChannel, Notifications } from '@tsupervisor/protocol';
import type { Ctl } from './ctl.js';

export interface FollowSpec {
  names: string[];
  channel: LogChannel;
  main: boolean;
}

export interface LogSink {
  /** The logs actually followed (group names expanded), before any data. */
  begin?(names: string[]): void;
  write(name: string, data: string): void;
  end(): void;
  /** Only whole lines make sense (prefixed output): a head that starts mid-line is cut to its first newline. */
  wholeLines?: boolean;
}

/** How a stream ended: by the caller, or by the daemon (`reason`: what it said, if anything). */
export type StreamEnd = { how: 'stopped' } | { how: 'closed'; reason: string | null };

/** The notice for bytes deleted before they were read (stderr). */
export function skippedNotice(name: string, bytes: number): string {
  return `==> ${name}: ${bytes} bytes skipped (rotated away before they were read) <==`;
}

const HEAD_BYTES = 1024;

/**
 * Streams until `stop` settles ('stopped') or the daemon closes the connection ('closed').
 * A fault from followLogs (unknown name, no log file) is thrown before anything is written.
 */
export async function streamLogs(ctl: Ctl, spec: FollowSpec, sink: LogSink, stop: Promise<void>): Promise<StreamEnd> {
  const client = await ctl.connect();
  let reason: string | null = null;
  const closed = new Promise<StreamEnd>((resolve) => client.onClose(() => resolve({ how: 'closed', reason })));
  let names: string[] | null = null;
  const early: Array<Notifications['tsupervisor.log']> = [];
  const write = ({ name, data, head, partial, skipped, end }: Notifications['tsupervisor.log']) => {
    if (!names!.includes(name)) return;
    if (end !== undefined) reason = end;
    if (skipped !== undefined) ctl.outputError(skippedNotice(name, skipped));
    // the last HEAD_BYTES of a longer log start anywhere in a line
    sink.write(name, head && partial && sink.wholeLines ? data.slice(data.indexOf('\n') + 1) : data);
    // a slow reader of our stdout slows the daemon's reading of the file, not our memory
    const congested = ctl.out.congested?.();
    if (congested) {
      client.pause?.();
      void congested.then(() => client.resume?.());
    }
  };
  client.onNotification('tsupervisor.log', (n) => {
    if (names) write(n);
    else early.push(n);
  });
  try {
    // The daemon sends each log's head, then what was logged after it, joined by position in
    // the file (nothing doubled or lost), all before the answer.
    const followed = await client.call('tsupervisor.followLogs', { ...spec, head: HEAD_BYTES });
    names = spec.main ? ['supervisord'] : followed;
    sink.begin?.(names);
    for (const n of early.splice(0)) write(n);
    return await Promise.race([stop.then((): StreamEnd => ({ how: 'stopped' })), closed]);
  } finally {
    sink.end();
    client.close();
  }
}

/** Data as it comes (one log, supervisorctl's `tail -f`). */
export function rawSink(write: (text: string) => void): LogSink {
  return { write: (_name, data) => data && write(data), end: () => {} };
}

/** Whole lines, each prefixed with its process name (`tail -f g:* other`). */
export function prefixSink(write: (text: string) => void, paint?: (name: string) => string): LogSink {
  let width = 0;
  const partial = new Map<string, string>();
  const label = (name: string) => {
    const padded = name.padEnd(width);
    return paint ? paint(padded) : padded;
  };
  return {
    wholeLines: true,
    begin(names) {
      width = Math.max(0, ...names.map((n) => n.length));
    },
    write(name, data) {
      const text = (partial.get(name) ?? '') + data;
      const lines = text.split('\n');
      partial.set(name, lines.pop()!);
      if (lines.length > 0) write(lines.map((line) => `${label(name)} | ${line}\n`).join(''));
    },
    end() {
      for (const [name, rest] of partial) if (rest) write(`${label(name)} | ${rest}\n`);
      partial.clear();
    },
  };
}

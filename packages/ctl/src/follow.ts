/**
 * Following logs without polling: a connection of its own asks `tsupervisor.followLogs` and the
 * daemon pushes `tsupervisor.log` notifications. Like supervisor's /logtail, each log starts
 * with its last 1024 bytes. Used by `tail -f`, `maintail -f` and `fg`.
 */
import { Faults, JsonRpcErrors, type LogChannel } from '@tsupervisor/protocol';
import type { ControlClient } from '@tsupervisor/protocol';
import type { Ctl } from './ctl.js';
import { isFault } from './faults.js';

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

const HEAD_BYTES = 1024;

/**
 * Streams until `stop` settles ('stopped') or the daemon closes the connection ('closed').
 * A fault from followLogs (unknown name, no log file) is thrown before anything is written.
 */
export async function streamLogs(ctl: Ctl, spec: FollowSpec, sink: LogSink, stop: Promise<void>): Promise<'stopped' | 'closed'> {
  const client = await ctl.connect();
  const closed = new Promise<'closed'>((resolve) => client.onClose(() => resolve('closed')));
  let live = false;
  const early: Array<{ name: string; data: string }> = [];
  client.onNotification('tsupervisor.log', ({ name, data }) => {
    if (live) sink.write(name, data);
    else early.push({ name, data });
  });
  try {
    const followed = await client.call('tsupervisor.followLogs', spec);
    const names = spec.main ? ['supervisord'] : followed;
    sink.begin?.(names);
    for (const name of names) {
      // One log that cannot be read ends it, as supervisor's /logtail answers 404.
      const head = await readHead(client, spec, name, names.length === 1);
      const pending = early.filter((n) => n.name === name).map((n) => n.data).join('');
      // the last HEAD_BYTES of a longer log start anywhere in a line
      const start = sink.wholeLines && Buffer.byteLength(head) >= HEAD_BYTES ? head.indexOf('\n') + 1 : 0;
      sink.write(name, head.slice(start, Math.max(start, head.length - overlap(head, pending))));
    }
    for (const { name, data } of early) if (spec.main || names.includes(name)) sink.write(name, data);
    early.length = 0;
    live = true;
    return await Promise.race([stop.then(() => 'stopped' as const), closed]);
  } finally {
    sink.end();
    client.close();
  }
}

async function readHead(client: ControlClient, spec: FollowSpec, name: string, strict: boolean): Promise<string> {
  // The read methods refuse bytes that are not UTF-8 (as supervisor's): a head that starts in
  // the middle of a character is read again from the next byte (up to 3), else left out.
  for (let skip = 0; ; skip++) {
    const offset = -(HEAD_BYTES - skip);
    try {
      if (spec.main) return await client.call('supervisor.readLog', { offset, length: 0 });
      const method = spec.channel === 'stdout' ? 'supervisor.readProcessStdoutLog' : 'supervisor.readProcessStderrLog';
      return await client.call(method, { name, offset, length: 0 });
    } catch (err) {
      if (isFault(err, JsonRpcErrors.INTERNAL_ERROR) && skip < 3) continue;
      if (isFault(err) && !(strict && (err.code === Faults.NO_FILE || err.code === Faults.BAD_NAME))) return '';
      throw err;
    }
  }
}

/**
 * How much of `pending` (data pushed while the head was being read) the head already holds:
 * the longest prefix of `pending` that ends the head.
 */
export function overlap(head: string, pending: string): number {
  for (let k = Math.min(head.length, pending.length); k > 0; k--) {
    if (head.endsWith(pending.slice(0, k))) return k;
  }
  return 0;
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

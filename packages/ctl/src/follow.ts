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
 *
 * A daemon that re-executes itself (`reexec`) says so before the connection ends
 * (`tsupervisor.closing`, reason 'reexec'): the follow connects again (the control socket
 * queues the connection meanwhile) and resumes each log at the position its last chunk said
 * (`pos`), so nothing is missed or shown twice.
 */
export async function streamLogs(ctl: Ctl, spec: FollowSpec, sink: LogSink, stop: Promise<void>): Promise<StreamEnd> {
  let names: string[] | null = null;
  const positions = new Map<string, number>();
  try {
    for (;;) {
      const end = await followOnce(ctl, spec, sink, stop, names, positions, (followed) => {
        names = followed;
        sink.begin?.(followed);
      });
      if (end.how !== 'reexec') return end;
    }
  } finally {
    sink.end();
  }
}

type OnceEnd = StreamEnd | { how: 'reexec' };

/** One connection of a follow: the first (with heads), or a resumed one (`names` known). */
async function followOnce(
  ctl: Ctl,
  spec: FollowSpec,
  sink: LogSink,
  stop: Promise<void>,
  known: string[] | null,
  positions: Map<string, number>,
  begin: (names: string[]) => void,
): Promise<OnceEnd> {
  let stopped = false;
  void stop.then(() => (stopped = true));
  const client = known ? await reconnect(ctl, () => stopped) : await ctl.connect();
  if (!client) return { how: 'stopped' };
  let reason: string | null = null;
  // the notice is the daemon's last word on this connection (the client hides that close)
  const closed = new Promise<OnceEnd>((resolve) => {
    client.onNotification('tsupervisor.closing', (n) => n.reason === 'reexec' && resolve({ how: 'reexec' }));
    client.onClose(() => resolve({ how: 'closed', reason }));
  });
  let names: string[] | null = known;
  const early: Array<Notifications['tsupervisor.log']> = [];
  let waiting = false;
  const write = ({ name, data, head, partial, skipped, end, pos }: Notifications['tsupervisor.log']) => {
    if (!names!.includes(name)) return;
    if (end !== undefined) reason = end;
    if (pos !== undefined) positions.set(name, pos);
    if (skipped !== undefined) ctl.outputError(skippedNotice(name, skipped));
    // the last HEAD_BYTES of a longer log start anywhere in a line
    sink.write(name, head && partial && sink.wholeLines ? data.slice(data.indexOf('\n') + 1) : data);
    // a slow reader of our stdout slows the daemon's reading of the file, not our memory
    // (one wait at a time: chunks already read keep coming while the client is paused)
    const congested = waiting ? null : ctl.out.congested?.();
    if (congested) {
      waiting = true;
      client.pause?.();
      void congested.then(() => {
        waiting = false;
        client.resume?.();
      });
    }
  };
  client.onNotification('tsupervisor.log', (n) => {
    if (names) write(n);
    else early.push(n);
  });
  try {
    // The daemon sends each log's head, then what was logged after it, joined by position in
    // the file (nothing doubled or lost), all before the answer. Resumed: no head, each log
    // from where it was.
    const params = known
      ? { names: known.filter((n) => !spec.main || n !== 'supervisord'), channel: spec.channel, main: spec.main, head: 0, from: known.map((n) => positions.get(n) ?? -1) }
      : { ...spec, head: HEAD_BYTES };
    const followed = await client.call('tsupervisor.followLogs', params);
    if (!known) {
      names = spec.main ? ['supervisord'] : followed;
      begin(names);
      for (const n of early.splice(0)) write(n);
    }
    return await Promise.race([stop.then((): OnceEnd => ({ how: 'stopped' })), closed]);
  } finally {
    client.close();
  }
}

/**
 * After a reexec the daemon answers again within moments (the socket queues the connection);
 * a daemon gone for good is an error after RECONNECT_MS. Null once `stopped()` (Ctrl-C).
 * Shared by the follows and `events`.
 */
const RECONNECT_MS = 30_000;

export async function reconnect(ctl: Ctl, stopped: () => boolean): Promise<Awaited<ReturnType<Ctl['connect']>> | null> {
  const deadline = Date.now() + RECONNECT_MS;
  for (let delay = 20; ; delay = Math.min(delay * 2, 500)) {
    try {
      return await ctl.connect();
    } catch (err) {
      if (stopped()) return null;
      if (Date.now() + delay > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
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

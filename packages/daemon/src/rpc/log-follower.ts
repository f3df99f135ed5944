/**
 * One followed log of a tsupervisor.followLogs call (`tail -f`, `maintail -f`, `fg`, /logtail).
 *
 * A log file is followed by position: the follower holds a byte position (logs/generations.ts)
 * and, each time the log changes and its connection is not congested (the socket's unsent
 * output is below HIGH_WATER, else it waits for 'drain'), reads the next chunk from the file
 * and sends it. A client that reads slowly, or not at all, costs one chunk, never the output
 * written meanwhile: the bytes are on disk. Chunks shrink as followers multiply, so that all of
 * them together hold at most about POOL bytes. A follower in bytes that rotation (or a clear)
 * deleted before it read them is told how many it skipped (`skipped`) and goes on at the oldest
 * kept byte; one in a renamed backup reads that backup. The last MiB written is read from
 * memory shared by a log's followers (Generations.recent), not from the file.
 *
 * A log with no file to read back (NONE, syslog, a pipe, a file gone) is fed live from the
 * LogBus: what its client has not taken is kept up to LIVE_LIMIT; past that the follow ends
 * with a notice saying so (`end`), never silently.
 *
 * With a head, the head holds exactly what was logged before the follower's position
 * (RotatingFile.head), so nothing is missed or doubled. One UTF-8 decoder runs over the head and
 * what follows, so a character cut between two reads arrives whole.
 */
import { closeSync, openSync, read } from 'node:fs';
import type net from 'node:net';
import { StringDecoder } from 'node:string_decoder';
import type { LogChannel, Notifications } from '@tsupervisor/protocol';
import type { Generations } from '../logs/generations.js';
import { chunkDecoder } from '../logs/log-bus.js';
import type { LogHead } from '../logs/read.js';

/** Unsent output above which a follower waits for 'drain' before it reads more. */
export const HIGH_WATER = 64 * 1024;
/** Bytes all file followers together read ahead of their sockets at most. */
export const POOL = 4 * 1024 * 1024;
const MAX_CHUNK = 64 * 1024;
const MIN_CHUNK = 4 * 1024;
/** Live output a client has not taken yet, kept at most per follower. */
export const LIVE_LIMIT = 1024 * 1024;

let fileFollowers = 0;

function chunkSize(): number {
  return Math.max(MIN_CHUNK, Math.min(MAX_CHUNK, Math.floor(POOL / Math.max(1, fileFollowers))));
}

/** Where a follower's notifications go. */
export interface FollowOutlet {
  readonly socket: net.Socket;
  /** false: the peer is gone. */
  notify(params: Notifications['tsupervisor.log']): boolean;
  /** Ends the whole follow: the notice has been sent. */
  end(): void;
}

type Log = Notifications['tsupervisor.log'];

export class Follower {
  unsubscribe: (() => void) | null = null;
  head: Promise<LogHead> | null = null;
  private readonly decoder = new StringDecoder('utf8');
  private readonly decode = chunkDecoder(this.decoder);
  /** Live chunks kept until start() (null: live, or following the file). */
  private pending: Array<Buffer | string> | null;
  private pendingBytes = 0;
  private stopped = false;
  // following the file
  private source: Generations | null = null;
  private pos = 0;
  private unwatch: (() => void) | null = null;
  private running = false;
  private again = false;

  constructor(
    private readonly name: string,
    private readonly channel: LogChannel,
    private readonly outlet: FollowOutlet,
    live: boolean,
  ) {
    this.pending = live ? null : [];
  }

  /** A chunk published on the LogBus (used only while the log is fed live). */
  chunk(chunk: Uint8Array | string): void {
    if (this.stopped) return;
    if (this.pending) {
      this.pendingBytes += chunk.length;
      this.pending.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk));
      if (this.pendingBytes > LIVE_LIMIT) this.pending = [];
      return;
    }
    if (this.outlet.socket.writableLength > LIVE_LIMIT) {
      this.end(`${this.name}: the client did not keep up with the live output (no log file to read back); stopped following`);
      return;
    }
    this.send({ data: this.decode(chunk) });
  }

  /** Sends the head (null: none to show), then follows the file from its end, or live. */
  start(head: LogHead | null): void {
    if (this.stopped) return;
    if (head && head.data.length > 0) {
      let data = head.data;
      // a head cut inside the file may start inside a character: from the next one
      if (head.partial) {
        let skip = 0;
        while (skip < 3 && skip < data.length && (data[skip]! & 0xc0) === 0x80) skip++;
        data = data.subarray(skip);
      }
      this.send({ data: this.decoder.write(data), head: true, partial: head.partial, ...(head.from ? { pos: head.from.pos } : {}) });
    }
    const pending = this.pending ?? [];
    const overflowed = this.pendingBytes > LIVE_LIMIT;
    this.pending = null;
    if (head?.from) {
      this.unsubscribe?.();
      this.unsubscribe = null;
      this.source = head.from.source;
      this.pos = head.from.pos;
      fileFollowers++;
      this.unwatch = this.source.watch(() => this.wake());
      // after the answer to followLogs, which the head and nothing else precede
      setImmediate(() => this.wake());
      return;
    }
    if (overflowed) {
      this.end(`${this.name}: more live output came than could be kept while the log was being opened; stopped following`);
      return;
    }
    for (const chunk of pending) this.chunk(chunk);
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.pending = null;
    this.unsubscribe?.();
    this.unsubscribe = null;
    if (this.unwatch) {
      this.unwatch();
      this.unwatch = null;
      fileFollowers--;
    }
  }

  private wake(): void {
    if (this.stopped) return;
    this.again = true;
    if (!this.running) void this.pump();
  }

  /** Reads and sends while the log has bytes past the position and the socket takes them. */
  private async pump(): Promise<void> {
    this.running = true;
    const source = this.source!;
    const socket = this.outlet.socket;
    try {
      while (this.again && !this.stopped) {
        if (socket.writableLength > HIGH_WATER) {
          await drained(socket);
          continue;
        }
        this.again = false;
        const recent = source.recent(this.pos, chunkSize());
        if (recent) {
          this.pos += recent.length;
          this.again = true;
          if (!this.send({ data: this.decoder.write(recent) })) return;
          continue;
        }
        const at = source.locate(this.pos);
        if (at.kind === 'busy') continue; // the end of the rotation wakes it
        if (at.kind === 'gone') {
          this.skip(at.skipped);
          continue;
        }
        if (at.available === 0) continue;
        const truncations = source.truncations;
        // opened now, in the tick that located it: a later rename keeps the same file open
        const data = await readAt(at.path, at.offset, Math.min(at.available, chunkSize()));
        if (this.stopped) return;
        if (at.current && source.truncations !== truncations) {
          this.again = true; // the file was truncated meanwhile: what was read is not sure
          continue;
        }
        if (data === null || data.length === 0) {
          // a backup removed or cut by someone: its rest is skipped; the current file: wait
          if (!at.current) this.skip(at.available);
          continue;
        }
        this.pos += data.length;
        this.again = true;
        if (!this.send({ data: this.decoder.write(data) })) return;
      }
    } finally {
      this.running = false;
    }
  }

  private skip(bytes: number): void {
    this.pos += bytes;
    this.again = true;
    this.send({ data: this.decoder.end(), skipped: bytes });
  }

  /** A chunk of a followed file says the position after it (`pos`: where a resumed follow goes on). */
  private send(fields: Pick<Log, 'data' | 'head' | 'partial' | 'skipped' | 'end' | 'pos'>): boolean {
    if (this.stopped) return false;
    if (fields.data === '' && fields.skipped === undefined && fields.end === undefined) return true;
    const pos = fields.pos ?? (this.source ? this.pos : undefined);
    if (this.outlet.notify({ name: this.name, channel: this.channel, ...fields, ...(pos === undefined ? {} : { pos }) })) return true;
    this.stop();
    return false;
  }

  private end(reason: string): void {
    this.send({ data: '', end: reason });
    this.stop();
    this.outlet.end();
  }
}

/** Resolves once the socket has taken its output, or is closed. */
function drained(socket: net.Socket): Promise<void> {
  if (socket.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      socket.off('drain', done);
      socket.off('close', done);
      resolve();
    };
    socket.once('drain', done);
    socket.once('close', done);
  });
}

/** `length` bytes of `path` from `offset` (fewer at its end); null if it cannot be opened or read. */
function readAt(path: string, offset: number, length: number): Promise<Buffer | null> {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return Promise.resolve(null);
  }
  const buf = Buffer.allocUnsafe(length);
  return new Promise((resolve) => {
    read(fd, buf, 0, length, offset, (err, n) => {
      closeSync(fd);
      resolve(err ? null : buf.subarray(0, n));
    });
  });
}

/**
 * Reading a child's stdout/stderr pipe (the read end of a makePipe) with little work per byte
 * and little memory per pipe.
 *
 * A plain `child.stdout` costs about 1.2 CPU-s per GiB: libuv's stdio 'pipe' is a socketpair,
 * each 64 KiB read is a fresh allocation that then runs through the Readable machinery. Here the
 * child writes into a real pipe (as with supervisor) and libuv reads the fd straight into
 * buffers we choose (native/tsv_pipe.c: no net.Socket, whose stream state, listeners and
 * PipeWrap cost about 1.5 kB per pipe, two pipes per program for the program's whole life):
 * - Every source starts on one scratch buffer shared by all sources (reads are synchronous on
 *   the main thread); what lands there is copied out, so an idle channel holds no memory of its
 *   own. A read that fills half of it means a busy channel: the next reads go into buffers of
 *   its own from a small free list, handed to the consumer without a copy. Their size follows
 *   the reads, 64 KiB to 256 KiB: doubled when a read fills most of one, halved when it fills a
 *   quarter; a small read sends the channel back to the scratch buffer. (256 KiB reads cut the
 *   daemon's CPU per GiB by about a sixth against 64 KiB ones; bigger ones did not help, they
 *   made it depend more on the state of the machine's memory. Growing only when the pipe holds
 *   that much keeps a channel that falls silent from holding a big buffer.)
 * - A read of 64 KiB or more means the child writes faster than we read: the pipe grows to
 *   1 MiB (F_SETPIPE_SZ) so the child blocks less, within a budget for all pipes (the kernel
 *   caps an unprivileged user's pipes at 64 MiB, and children share that user).
 * - A channel that reads more than FLOOD_BYTES within FLOOD_WINDOW_MS is flooding: its pipe grows
 *   (as above) and, each time a read drains it, reading rests for REST_MS, so the next read takes
 *   what piled up (hundreds of KiB) rather than each 4 KiB write of a shell pipeline (`tr`, `seq`,
 *   `head` write 4-8 KiB at a time). Woken for every such write, the daemon spent most of its CPU
 *   switching tasks and calling into JS once per 4 KiB; resting, it reads ~1000 times a second.
 *   A flooding child never waits on it (1 MiB of pipe holds more than a millisecond of output);
 *   a quiet channel is never delayed. A spliced one is copied by a thread instead (tsv_pipe.c's
 *   copier, woken at every write as `cat` is; at once when it splices again while flooding),
 *   which tells the bytes it moved every 4 MiB, and at a stop the rest (splicedAtStop).
 * - The consumer (captureOutput) gets chunks through `consume()`, pauses the reads for
 *   backpressure and hands buffers back with `release()` once they are written. Reading starts
 *   at `consume()`.
 * - When nothing in the daemon needs the bytes, only their log file, the consumer may have them
 *   moved pipe → file by the kernel (`spliceTo`: splice(2)), so that they never enter the
 *   daemon's memory; it then hears how many moved (`spliced`), and reads again with
 *   `spliceTo(null)` as soon as someone needs them (a `tail -f` fed live, an event, a check).
 */
import { Readable } from 'node:stream';
import { getSystemErrorName } from 'node:util';
import { pipeClose, pipeOpen, pipeSetBuffer, pipeSplice, pipeStart, pipeStop, setPipeSize, UV_EOF, type PipeHandle, type PipeOwner } from '../native/index.js';

/** Size of the shared scratch buffer, and of a busy channel's first buffer of its own. */
export const READ_SIZE = 64 * 1024;
/** The largest buffer a busy channel reads into. */
const MAX_READ_SIZE = 256 * 1024;
/** A read at least this large goes to a buffer of the source's own (no copy). */
const BUSY_READ = READ_SIZE / 2;
const BIG_PIPE = 1024 * 1024;
/** Total capacity granted to grown pipes (a quarter of pipe-user-pages-soft's 64 MiB default). */
const GROWN_BUDGET = 16 * 1024 * 1024;
/** Free buffers kept for reuse, in bytes. */
const MAX_FREE_BYTES = 4 * 1024 * 1024;
/** Reading this much within FLOOD_WINDOW_MS makes a channel a flooding one (25 MiB/s). */
const FLOOD_BYTES = 256 * 1024;
const FLOOD_WINDOW_MS = 10;
/** How long a flooding channel waits after draining its pipe before it reads again. */
const REST_MS = 1;

/** Sources resting until the next wake-up (one timer for all of them). */
let resting: PipeSource[] = [];
let restTimer: NodeJS.Timeout | null = null;

function wakeRested(): void {
  restTimer = null;
  const sources = resting;
  resting = [];
  for (const s of sources) s.wake();
}

function rest(source: PipeSource): void {
  resting.push(source);
  restTimer ??= setTimeout(wakeRested, REST_MS); // ref: while resting, no read keeps the loop alive
}

/**
 * reexec: every open source, and whether reading is held for good (reexec/freeze.ts). While
 * held, no source reads again: what the children write waits in their pipes for the new image.
 */
const live = new Set<PipeSource>();
let held = false;

/** Stops every pipe read from now on (before the daemon re-executes itself). */
export function holdAllPipes(): void {
  held = true;
  for (const s of live) s.hold();
}

/** The exec failed: read again. */
export function releaseAllPipes(): void {
  held = false;
  for (const s of live) s.wake();
}

let grownBytes = 0;
/** Free buffers by size (powers of two from READ_SIZE to MAX_READ_SIZE). */
const free = new Map<number, ArrayBuffer[]>();
let freeBytes = 0;
/** Buffers lent to a consumer, awaiting release() (guards against a double release). */
const lent = new WeakSet<ArrayBuffer>();
const scratch = Buffer.allocUnsafeSlow(READ_SIZE);

function takeBuffer(size: number): Buffer {
  const ab = free.get(size)?.pop();
  if (!ab) return Buffer.from(new ArrayBuffer(size));
  freeBytes -= size;
  return Buffer.from(ab);
}

function giveBack(ab: ArrayBuffer): void {
  if (freeBytes + ab.byteLength > MAX_FREE_BYTES) return;
  let list = free.get(ab.byteLength);
  if (!list) free.set(ab.byteLength, (list = []));
  list.push(ab);
  freeBytes += ab.byteLength;
}

/** The next buffer size for a busy channel, after a read of `n` bytes into `size`. */
function nextSize(size: number, n: number): number {
  if (n >= (size * 3) / 4) return Math.min(size * 2, MAX_READ_SIZE);
  if (n < size / 4) return Math.max(size / 2, READ_SIZE);
  return size;
}

/** The fast consumer of a PipeSource (captureOutput). */
export interface ChunkConsumer {
  /**
   * A chunk read. `lent`: it is a view of a pool buffer, to be handed back with
   * `PipeSource.release(chunk)` when nothing refers to it any more (otherwise it is the
   * consumer's to keep). Returns false to pause reading (resume with `resumeReading()`).
   */
  data(chunk: Buffer, lent: boolean): boolean;
  /** End of the pipe (every writer closed it), or a read error. Called once. */
  end(error: Error | null): void;
  /**
   * While splicing (spliceTo): `n` bytes went from the pipe into the file, in `ms`. Returns false
   * to pause reading, as data() does. The consumer may retarget or stop splicing meanwhile.
   */
  spliced?(n: number, ms: number): boolean;
  /**
   * The splice stopped (spliceTo(null) or another file, a pause, the pipe closed) after `n`
   * more bytes had gone into the file, which spliced() had not been told of: count them.
   */
  splicedAtStop?(n: number): void;
  /** splice(2) failed (`error`; `lost` bytes read that the file refused): the source reads into buffers again. */
  spliceFailed?(error: Error, lost: number): void;
}

export class PipeSource implements PipeOwner {
  private handle: PipeHandle | null;
  private current: Buffer = scratch;
  private consumer: ChunkConsumer | null = null;
  private finished = false;
  /** How the pipe ended, for a consumer that comes after the end. */
  private endError: Error | null = null;
  private grown = 0;
  private observer: ((chunk: Buffer) => void) | null = null;
  /** The consumer asked for a pause (backpressure). */
  private paused = false;
  /** pauseReading and resumeReading calls (to tell whether one came during a data() call). */
  private pauseCalls = 0;
  /** Waiting for the rest timer (a flooding channel drained its pipe). */
  private resting = false;
  /** Flood detection: when the current window started (performance.now()), bytes read in it. */
  private windowStart = 0;
  private windowBytes = 0;
  private flooding = false;

  /** Takes ownership of `fd` (the read end of a pipe); it is closed at the end. */
  constructor(private readonly fd: number) {
    this.handle = pipeOpen(fd, this, scratch);
    live.add(this);
  }

  /** The pipe's fd while it is open, else null (reexec hands it to the new image). */
  get pipeFd(): number | null {
    return this.handle ? this.fd : null;
  }

  /** @internal holdAllPipes(): stop reading. */
  hold(): void {
    if (this.handle) this.stopped(pipeStop(this.handle));
  }

  /** Returns a lent chunk's buffer to the pool. Idempotent; ignores chunks that were not lent. */
  static release(chunk: Uint8Array): void {
    const ab = chunk.buffer as ArrayBuffer;
    if (lent.delete(ab)) giveBack(ab);
  }

  /** Starts reading: chunks go to `consumer`, then its end(). */
  consume(consumer: ChunkConsumer): void {
    if (this.consumer) throw new Error('PipeSource: already consumed');
    this.consumer = consumer;
    if (this.finished) consumer.end(this.endError);
    else if (this.handle && !held) pipeStart(this.handle);
  }

  /**
   * Shows each chunk to `see` before the consumer gets it (an event listener's protocol reads
   * its stdout this way, without a copy). `see` must not throw, nor keep the chunk: its buffer
   * may be reused.
   */
  observe(see: (chunk: Buffer) => void): void {
    this.observer = see;
  }

  /**
   * Moves the pipe's bytes into the regular file `fd` (opened without O_APPEND) from now on,
   * in the kernel, at most `limit` bytes (0: no limit) before the consumer is told and must
   * call this again; null: read into buffers again. Only with no observer (whose bytes these
   * are). Returns whether the source splices now.
   */
  spliceTo(fd: number | null, limit = 0): boolean {
    if (!this.handle || (fd !== null && this.observer)) return false;
    // a flooding channel's bytes go by a copier thread at once (tsv_pipe.c), not the poll first
    this.stopped(pipeSplice(this.handle, fd ?? -1, limit, this.flooding));
    return fd !== null;
  }

  pauseReading(): void {
    this.paused = true;
    this.pauseCalls++;
    if (this.handle) this.stopped(pipeStop(this.handle));
  }

  resumeReading(): void {
    this.paused = false;
    this.pauseCalls++;
    if (this.handle && this.consumer && !this.resting && !held) pipeStart(this.handle);
  }

  /** @internal The rest is over: read again unless the consumer paused meanwhile. */
  wake(): void {
    this.resting = false;
    if (this.handle && this.consumer && !this.paused && !held) pipeStart(this.handle);
  }

  /**
   * Lets go of the pipe as if it had reached its end: what was read so far has been delivered,
   * the consumer's end(null) comes now. For a grandchild that keeps the pipe open after the
   * child exited.
   */
  close(): void {
    this.finish(null);
  }

  /** @internal Called by the native reader after each read (see pipeOpen). */
  pipeRead(n: number, spliced?: boolean, drained?: boolean, ms?: number): boolean {
    if (spliced) return this.splicedRead(n, drained === true, ms ?? 0);
    if (n < 0) {
      if (n === UV_EOF) this.finish(null);
      else this.finish(Object.assign(new Error(`read from pipe: ${getSystemErrorName(n)}`), { code: getSystemErrorName(n), errno: n }));
      return false;
    }
    let chunk: Buffer;
    let isLent = false;
    const buf = this.current;
    // the pipe is drained when a read does not fill the buffer (libuv reads again after a full one)
    if (this.flood(n) && n < buf.length) {
      this.resting = true;
      rest(this);
    }
    if (buf === scratch) {
      chunk = Buffer.from(scratch.subarray(0, n));
      if (n >= BUSY_READ) this.use(takeBuffer(nextSize(READ_SIZE, n)));
    } else if (n >= BUSY_READ) {
      chunk = buf.subarray(0, n);
      isLent = true;
      lent.add(chunk.buffer as ArrayBuffer);
      this.use(takeBuffer(nextSize(buf.length, n)));
    } else {
      chunk = Buffer.from(buf.subarray(0, n));
      giveBack(buf.buffer as ArrayBuffer);
      this.use(scratch);
    }
    if (n >= READ_SIZE || this.flooding) this.grow();
    this.observer?.(chunk);
    const said = this.pauseCalls;
    const more = this.consumer ? this.consumer.data(chunk, isLent) : false;
    // a pauseReading/resumeReading made during data() is the later word (as in tsv_pipe.c)
    if (this.pauseCalls === said) this.paused = !more;
    return more && !this.resting && !held;
  }

  /** After a wake-up in splice mode: `n` bytes moved, the end, or splice's error. */
  private splicedRead(n: number, drained: boolean, ms: number): boolean {
    if (n === UV_EOF) {
      this.finish(null);
      return false;
    }
    if (n < 0) {
      // the file refused (a full disk, a filesystem without splice): read and write the
      // ordinary way, which reports the trouble and drops what cannot be written (a copier
      // thread's write fails after its read: `ms` is then the bytes it lost)
      this.spliceTo(null);
      this.consumer?.spliceFailed?.(Object.assign(new Error(`splice into log: ${getSystemErrorName(n)}`), { code: getSystemErrorName(n), errno: n }), ms);
      if (this.handle && !this.paused && !this.resting && !held) pipeStart(this.handle);
      return false;
    }
    // a flooding channel rests between splices in the native reader (tsv_pipe.c: a quarter of a
    // millisecond, not this file's 1 ms timer, which let its pipe fill and its child wait)
    this.flood(n);
    if (n >= READ_SIZE || this.flooding) this.grow();
    const said = this.pauseCalls;
    const more = this.consumer?.spliced ? this.consumer.spliced(n, ms) : false;
    if (this.pauseCalls === said) this.paused = !more;
    return more && !this.resting && !held;
  }

  /** A splice stopped after `late` bytes its consumer had not heard of (native/pipes.ts). */
  private stopped(late: number): void {
    if (late > 0) this.consumer?.splicedAtStop?.(late);
  }

  /** Counts a read of `n` bytes; whether the channel is flooding (see the header). */
  private flood(n: number): boolean {
    this.windowBytes += n;
    if (this.windowBytes >= FLOOD_BYTES) {
      const now = performance.now();
      this.flooding = now - this.windowStart <= FLOOD_WINDOW_MS;
      this.windowStart = now;
      this.windowBytes = 0;
    } else if (this.flooding && performance.now() - this.windowStart > FLOOD_WINDOW_MS) {
      this.flooding = false;
      this.windowStart = performance.now();
      this.windowBytes = n;
    }
    return this.flooding;
  }

  /** The buffer the next read goes into. */
  private use(buf: Buffer): void {
    this.current = buf;
    if (this.handle) pipeSetBuffer(this.handle, buf);
  }

  /** The child fills the pipe faster than we drain it: a bigger pipe, if the budget allows. */
  private grow(): void {
    if (this.grown > 0 || grownBytes + BIG_PIPE > GROWN_BUDGET) return;
    try {
      const size = setPipeSize(this.fd, BIG_PIPE);
      if (size > READ_SIZE) {
        this.grown = size;
        grownBytes += size;
      }
    } catch {
      this.grown = -1; // not a pipe after all (tests pass other fds): never try again
    }
  }

  private finish(err: Error | null): void {
    if (this.finished) return;
    this.finished = true;
    this.endError = err;
    live.delete(this);
    const handle = this.handle;
    this.handle = null;
    if (handle) this.stopped(pipeClose(handle));
    if (this.grown > 0) grownBytes -= this.grown;
    this.grown = 0;
    if (this.current !== scratch) giveBack(this.current.buffer as ArrayBuffer);
    this.current = scratch;
    this.consumer?.end(err);
  }
}

/** A child's output as the daemon reads it: a PipeSource, or any Readable (tests, filters). */
export type OutputStream = PipeSource | Readable;

/**
 * `stream` as an ordinary Readable, for the filters of event listeners and capture mode: a
 * PipeSource is consumed into one (its chunks copied, never reused); a Readable is itself.
 */
export function readableOf(stream: OutputStream): Readable {
  if (!(stream instanceof PipeSource)) return stream;
  const source = stream;
  const readable = new Readable({
    read() {
      source.resumeReading();
    },
    destroy(err, cb) {
      source.close();
      cb(err);
    },
  });
  source.consume({
    data(chunk, isLent) {
      if (!isLent) return readable.push(chunk);
      const copy = Buffer.from(chunk);
      PipeSource.release(chunk);
      return readable.push(copy);
    },
    end(err) {
      if (err) readable.destroy(err);
      else readable.push(null);
    },
  });
  return readable;
}

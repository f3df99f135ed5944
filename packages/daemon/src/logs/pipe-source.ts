/**
 * Reading a child's stdout/stderr pipe (the read end of a makePipe) with little work per byte.
 *
 * A plain `child.stdout` costs about 1.2 CPU-s per GiB: libuv's stdio 'pipe' is a socketpair,
 * each 64 KiB read is a fresh allocation that then runs through the Readable machinery. Here the
 * child writes into a real pipe (as with supervisor) and the fd is read through net.Socket's
 * `onread`, into buffers we choose:
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
 * - The capture (captureOutput) consumes chunks directly through `consume()`, pauses the reads
 *   for backpressure and hands buffers back with `release()` once they are written. Anyone else
 *   sees an ordinary Readable (fresh chunks, nothing is reused).
 */
import { Socket, type SocketConstructorOpts } from 'node:net';
import { Readable } from 'node:stream';
import { setPipeSize } from '../native/index.js';

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
}

export class PipeSource extends Readable {
  private readonly socket: Socket;
  private current: Buffer = scratch;
  private consumer: ChunkConsumer | null = null;
  private finished = false;
  private grown = 0;

  /** Takes ownership of `fd` (the read end of a pipe); it is closed at the end. */
  constructor(private readonly fd: number) {
    super();
    // `onread` is honoured for any socket, though @types/node types it on connect() only.
    const onread = { buffer: () => this.current, callback: (n: number, buf: Uint8Array) => this.onRead(n, buf) };
    this.socket = new Socket({ fd, readable: true, writable: false, onread } as SocketConstructorOpts);
    this.socket.on('end', () => this.finish(null));
    this.socket.on('error', (err) => this.finish(err));
    this.socket.on('close', () => this.finish(null));
  }

  /** Returns a lent chunk's buffer to the pool. Idempotent; ignores chunks that were not lent. */
  static release(chunk: Uint8Array): void {
    const ab = chunk.buffer as ArrayBuffer;
    if (lent.delete(ab)) giveBack(ab);
  }

  /** Switches to direct delivery: no more 'data' events, chunks go to `consumer`. */
  consume(consumer: ChunkConsumer): void {
    this.consumer = consumer;
    for (let chunk: Buffer | null; (chunk = this.read() as Buffer | null) !== null; ) consumer.data(chunk, false);
    if (this.finished) consumer.end(null);
  }

  pauseReading(): void {
    this.socket.pause();
  }

  resumeReading(): void {
    this.socket.resume();
  }

  /**
   * Lets go of the pipe as if it had reached its end: what was read so far is delivered, then
   * the stream ends normally ('end', or the consumer's end). For a grandchild that keeps the
   * pipe open after the child exited.
   */
  close(): void {
    this.socket.destroy(); // 'close' → finish(null)
  }

  override _read(): void {
    this.socket.resume();
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.socket.destroy();
    this.releaseGrowth();
    cb(err);
  }

  private onRead(n: number, buf: Uint8Array): boolean {
    let chunk: Buffer;
    let isLent = false;
    if (buf === scratch) {
      chunk = Buffer.from(scratch.subarray(0, n));
      if (n >= BUSY_READ) this.current = takeBuffer(nextSize(READ_SIZE, n));
    } else if (n >= BUSY_READ) {
      chunk = this.current.subarray(0, n);
      isLent = this.consumer !== null;
      if (isLent) lent.add(chunk.buffer as ArrayBuffer);
      this.current = takeBuffer(nextSize(this.current.length, n));
    } else {
      chunk = Buffer.from(this.current.subarray(0, n));
      giveBack(this.current.buffer as ArrayBuffer);
      this.current = scratch;
    }
    if (n >= READ_SIZE) this.grow();
    if (this.consumer) return this.consumer.data(chunk, isLent);
    return this.push(chunk);
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

  private releaseGrowth(): void {
    if (this.grown > 0) grownBytes -= this.grown;
    this.grown = 0;
  }

  private finish(err: Error | null): void {
    if (this.finished) return;
    this.finished = true;
    this.releaseGrowth();
    if (this.current !== scratch) giveBack(this.current.buffer as ArrayBuffer);
    this.current = scratch;
    if (this.consumer) this.consumer.end(err);
    else if (err) this.destroy(err);
    else this.push(null);
  }
}

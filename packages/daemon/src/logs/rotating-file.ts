/**
 * An append-only log file with supervisor's size rotation (loggers.py RotatingFileHandler),
 * reopen (SIGUSR2), clear (clearProcessLogs) and close.
 *
 * - Byte-exact: operations run one at a time in call order; rotation happens between writes,
 *   once the file has reached `maxbytes`; one write never straddles two files (a write larger
 *   than maxbytes goes whole into one file, as in supervisor).
 * - Backpressure: `write()` resolves once the bytes are handed to the kernel.
 * - Pipes, ttys, /dev/stdout: never seeked, never rotated or removed (see destination.ts).
 * - Splicing (beginSplice): a capture may have the kernel move a child's bytes from its pipe
 *   straight into the open file (pipe-source.ts), when the file is a regular one on a local
 *   filesystem and nothing is queued. It tells how many bytes went in (`spliced`), which counts
 *   them as written; any other operation on the file first stops the splice (the capture reads
 *   again), and so does reaching maxbytes: the rotation then runs in the queue as after a write.
 * - Failures (unwritable directory, disk full, reader gone): `onError` is called once per
 *   incident, the writes of the incident are dropped (and counted), and the next write after
 *   `retryDelayMs` reopens the path; the first successful write ends the incident (`onRecover`).
 *   No method rejects because of I/O except `clear()`, whose caller reports FAILED.
 */
import { statSync } from 'node:fs';
import { Generations } from './generations.js';
import { readHeadSync, type LogHead } from './read.js';
import { byteLength, type LogSink, type RotatingFileOptions, type SpliceTarget, type Splicer } from './log-sink.js';
import { removeLogSync, rotateFiles, rotateFilesHeld, rotateFilesSync } from './rotation.js';
import { setFdAppend } from '../native/index.js';
import {
  closeDestination,
  type Destination,
  openDestination,
  sizeOnDisk,
  stalled,
  type WriteError,
  writeToDestination,
  writeToDestinationSync,
} from './destination.js';

export type { LogSink, RotatingFileOptions, RotatingFileReporter, SpliceTarget, Splicer } from './log-sink.js';

export class RotatingFile implements LogSink {
  readonly path: string;
  readonly maxbytes: number;
  readonly backups: number;
  /** Bytes that reached the destination, and bytes dropped (failures, or writes after close). */
  writtenBytes = 0;
  droppedBytes = 0;
  /** Where each byte written is now (current file, a backup, gone), for followers. */
  readonly generations: Generations;

  private readonly opts: RotatingFileOptions;
  private dest: Destination | null = null;
  private size = 0;
  private queue: Promise<void> = Promise.resolve();
  private queued = 0;
  private closed = false;
  /** The current failure incident, if any. */
  private failure: { lastAttempt: number; dropped: number } | null = null;
  /** Not open now: `lazy` and not opened yet, or released; the next write or reopen opens it. */
  private pending = false;
  /** Opened once (then released): a SIGUSR2 reopen or a clear makes the file again. */
  private released = false;
  /** The capture splicing into the open file, if one is. */
  private splicer: Splicer | null = null;

  constructor(path: string, opts: RotatingFileOptions = {}) {
    this.path = path;
    this.maxbytes = Math.max(0, opts.maxbytes ?? 0);
    this.backups = Math.max(0, opts.backups ?? 0);
    this.opts = opts;
    this.generations = new Generations(path, this.backups);
    this.generations.onFollowed = () => this.stopSplice();
    if (opts.made) this.queue = opts.made;
    if (opts.lazy) this.pending = true;
    else this.tryOpen(false);
  }

  /** False for pipes, ttys, devices and anything under /dev or /proc: those never rotate. */
  get rotatable(): boolean {
    return this.dest?.kind === 'file' && this.dest.rotatable;
  }

  /** True while an incident is in progress (writes are being dropped). */
  get failing(): boolean {
    return this.failure !== null;
  }

  /**
   * Appends `data` (chunks are written together, with writev, into the same file); resolves
   * when it is written (or dropped because of a failure).
   */
  write(data: Uint8Array | Uint8Array[]): Promise<void> {
    const chunks = Array.isArray(data) ? data.filter((c) => c.length > 0) : [data];
    const length = byteLength(chunks);
    if (length === 0) return this.queue;
    return this.enqueue(() => this.writeNow(chunks, length));
  }

  /**
   * Appends `data` before returning when nothing else is pending (the daemon's own log: a
   * crash right after still has the line). Otherwise it is queued behind the pending work.
   */
  writeSync(data: Uint8Array): void {
    if (data.length === 0) return;
    this.stopSplice();
    if (this.queued > 0) {
      void this.write(data);
      return;
    }
    if (!this.ready(data.length)) return;
    try {
      writeToDestinationSync(this.dest!, data);
      this.wrote(data.length, [data]);
    } catch (err) {
      this.fail(err as WriteError, data.length);
      return;
    }
    if (!this.shouldRotate()) return;
    try {
      this.generations.rotationStarted();
      rotateFilesSync(this.path, this.backups);
      this.startFreshFile();
    } catch (err) {
      this.rotationFailed(err as WriteError);
    }
  }

  /**
   * Lets `splicer` move bytes into the open file from now on, if it may: the file is a regular
   * one on a local filesystem, open, not failing, not written through the thread pool, with
   * nothing queued, no other splicer and no follower (followers read the last MiB written from
   * memory, which a splice never holds: one slower than rotation would lose bytes). Clears
   * O_APPEND on the descriptor meanwhile (the kernel refuses to splice into an O_APPEND file;
   * the splice writes at the file's end).
   */
  beginSplice(splicer: Splicer): SpliceTarget | null {
    const dest = this.dest;
    if (this.splicer || this.queued > 0 || !this.maySplice() || dest?.kind !== 'file') return null;
    const limit = this.spliceLimit();
    if (limit < 0) return null;
    try {
      setFdAppend(dest.fd, false);
    } catch {
      return null;
    }
    this.splicer = splicer;
    return { fd: dest.fd, limit };
  }

  /** Whether the file could take a splice once its queue is empty (see beginSplice). */
  maySplice(): boolean {
    const dest = this.dest;
    if (this.closed || this.pending || this.failure || this.generations.followed) return false;
    return dest?.kind === 'file' && dest.local && Date.now() >= dest.asyncUntil;
  }

  /**
   * `n` bytes were spliced into the file, in `ms`: counted as written, and as a synchronous
   * write's time is (a disk that keeps stalling the event loop sends the file to the thread
   * pool: destination.ts). Returns where to go on (the limit renewed), or null once the file
   * has reached maxbytes (the splice has stopped and the rotation is queued, as after a write)
   * or goes to the thread pool.
   */
  spliced(n: number, ms = 0): SpliceTarget | null {
    this.writtenBytes += n;
    this.size += n;
    this.generations.grew(this.size);
    const dest = this.dest;
    if (dest?.kind === 'file') {
      const now = performance.now();
      stalled(dest, now - ms, now, n);
    }
    const limit = this.spliceLimit();
    if (this.splicer && dest?.kind === 'file' && Date.now() >= dest.asyncUntil && limit >= 0) return { fd: dest.fd, limit };
    this.stopSplice(false);
    void this.enqueue(async () => {
      if (this.shouldRotate()) await this.rotate();
    });
    return null;
  }

  splicedAtStop(n: number): void {
    this.writtenBytes += n;
    this.size += n;
    this.generations.grew(this.size);
  }

  spliceLost(n: number): void {
    this.droppedBytes += n;
  }

  /** Where a splice goes on in another process (reexec's pump): the path and bytes it may take. */
  spliceHandOver(): { path: string; limit: number } | null {
    const limit = this.spliceLimit();
    return this.splicer && limit >= 0 ? { path: this.path, limit } : null;
  }

  /** `splicer` stops splicing (its pipe ended, or its bytes are needed). */
  endSplice(splicer: Splicer): void {
    if (this.splicer === splicer) this.stopSplice(false);
  }

  /** Bytes that may be spliced before the file reaches maxbytes: 0 no limit, -1 none. */
  private spliceLimit(): number {
    if (this.maxbytes <= 0 || !this.rotatable) return 0;
    return this.size < this.maxbytes ? this.maxbytes - this.size : -1;
  }

  /** Ends a splice: O_APPEND back on the descriptor; `tell`: the splicer must stop now. */
  private stopSplice(tell = true): void {
    const splicer = this.splicer;
    if (!splicer) return;
    this.splicer = null;
    if (this.dest?.kind === 'file') {
      try {
        setFdAppend(this.dest.fd, true);
      } catch {
        // a closed descriptor: nothing to restore
      }
    }
    if (tell) splicer.spliceStopped();
  }

  /**
   * The last `bytes` bytes of the file once every write asked before this call is done, and
   * before any asked after it: with the writes in between going to a follower, nothing is
   * missed or shown twice. Read from the path (after a rotation, the new file). null: no file.
   * A regular file's head also says where a follower goes on reading (`from`).
   */
  head(bytes: number): Promise<LogHead | null> {
    // a pipe, a tty, /dev/stdout: nothing to read back, and a write to it may wait on its reader
    if (this.dest && !this.rotatable) return Promise.resolve(readHeadSync(this.path, bytes));
    return this.enqueue(async () => {
      const head = readHeadSync(this.path, bytes);
      if (!head || head.size === undefined || (this.dest === null && !this.pending)) return head;
      // not opened yet: the file on disk is where writing will go on
      if (this.pending) this.generations.grew(head.size);
      return { ...head, from: { source: this.generations, pos: this.generations.end } };
    });
  }

  /**
   * Close and open the path again (after an external `mv`, a new file): at each spawn, and at
   * SIGUSR2 with `{ ifOpened: true }`, which leaves a lazy file never opened unmade (supervisor
   * reopens the logs of processes it has spawned: one never started has none).
   */
  reopen(options: { ifOpened?: boolean } = {}): Promise<void> {
    return this.enqueue(async () => {
      if (options.ifOpened && this.pending) {
        // released: the file is made again (logrotate moved it), but no descriptor is kept
        if (this.released && !this.tryOpen(false)) this.closeKeepingPath();
        return;
      }
      this.closeDest();
      this.tryOpen(false);
    });
  }

  /**
   * Closes the descriptor once pending writes are done, keeping the file usable: the next
   * write or reopen opens the path again. A process's logs are released when its pipes close
   * (supervisor opens them per spawn), so a daemon holds no descriptor for a program that is
   * not running.
   */
  release(): Promise<void> {
    return this.enqueue(async () => {
      if (this.closed || this.pending) return;
      this.closeKeepingPath();
    });
  }

  /** (An incident in progress goes on: the next spawn failing the same way reports nothing new.) */
  private closeKeepingPath(): void {
    this.closeDest();
    this.pending = true;
    this.released = true;
  }

  /**
   * clearProcessLogs: remove the file and start a new empty one (non-regular targets are just
   * reopened). Supervisor keeps the backups; `{ backups: true }` removes them too.
   * Rejects if the file cannot be removed or recreated.
   */
  clear(options: { backups?: boolean } = {}): Promise<void> {
    return this.enqueue(async () => {
      // never opened (a program not started yet): the file is removed but not made, as
      // supervisor has none until the first spawn
      if (this.pending) {
        // only a regular file, never anything under /dev or /proc (see destination.ts)
        if (/^\/(dev|proc)\//.test(this.path)) return;
        removeLogSync(this.path, options.backups ? this.backups : 0, isRegularFile(this.path));
        this.generations.replaced({ inPlace: false, backupsRemoved: options.backups });
        if (!this.released) return;
        // released: supervisor still has the log, reopened empty (no descriptor kept here)
        const err = this.tryOpen(false);
        this.closeKeepingPath();
        if (err) throw err;
        return;
      }
      const remove = this.rotatable;
      this.closeDest();
      if (remove) {
        removeLogSync(this.path, options.backups ? this.backups : 0);
        this.generations.replaced({ inPlace: false, backupsRemoved: options.backups });
      }
      this.failure = null;
      const err = this.tryOpen(false);
      if (this.closed) this.closeDest(); // cleared after close: leave an empty file, no descriptor
      if (err) throw err;
    });
  }

  /** Waits for pending writes, then closes. Later writes are dropped. */
  close(): Promise<void> {
    return this.enqueue(async () => {
      this.closed = true;
      this.closeDest();
    });
  }

  private enqueue<T>(op: () => Promise<T>): Promise<T> {
    this.stopSplice(); // the operations below write, reopen or read the file: in order, ourselves
    this.queued++;
    const run = this.queue.then(op).finally(() => {
      this.queued--;
    });
    this.queue = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private async writeNow(chunks: Uint8Array[], length: number): Promise<void> {
    let rest = chunks;
    while (rest.length > 0) {
      // Rotate between chunks, exactly where one-chunk-at-a-time writing would have.
      const take = this.chunksBeforeRotation(rest);
      const part = take === rest.length ? rest : rest.slice(0, take);
      const partLength = part === chunks ? length : byteLength(part);
      rest = take === rest.length ? [] : rest.slice(take);
      if (!this.ready(partLength)) continue;
      try {
        await writeToDestination(this.dest!, part);
        this.wrote(partLength, part);
      } catch (err) {
        this.fail(err as WriteError, partLength);
        continue;
      }
      if (this.shouldRotate()) await this.rotate();
    }
  }

  /** Renames the files along supervisor's plan and opens a fresh one at the path. */
  private async rotate(): Promise<void> {
    try {
      this.generations.rotationStarted();
      // the open descriptor follows the renamed file; renamed at once where writes are made at once
      const dest = this.dest;
      const now = dest?.kind === 'file' && dest.local && Date.now() >= dest.asyncUntil;
      const removed = now ? rotateFilesHeld(this.path, this.backups) : await rotateFiles(this.path, this.backups);
      try {
        this.startFreshFile();
      } finally {
        removed.release();
      }
    } catch (err) {
      this.rotationFailed(err as WriteError);
    }
  }

  /** How many of `chunks` to write before the file reaches maxbytes (all, if it does not). */
  private chunksBeforeRotation(chunks: Uint8Array[]): number {
    if (this.maxbytes <= 0 || !this.rotatable) return chunks.length;
    let size = this.size;
    for (let i = 0; i < chunks.length; i++) {
      size += chunks[i]!.length;
      if (size >= this.maxbytes) return i + 1;
    }
    return chunks.length;
  }

  /** Whether a write of `length` bytes may go ahead now; counts it as dropped if not. */
  private ready(length: number): boolean {
    if (this.closed) {
      this.droppedBytes += length;
      return false;
    }
    if (this.pending) this.tryOpen(false);
    if (this.dest === null && this.failure) {
      const now = this.now();
      if (now - this.failure.lastAttempt >= (this.opts.retryDelayMs ?? 1000)) {
        this.failure.lastAttempt = now;
        this.tryOpen(false);
      }
    }
    if (this.dest === null) {
      this.drop(length);
      return false;
    }
    return true;
  }

  private wrote(length: number, chunks: Uint8Array[]): void {
    this.generations.appended(chunks);
    this.writtenBytes += length;
    this.size += length;
    this.generations.grew(this.size);
    if (this.failure) {
      const dropped = this.failure.dropped;
      this.failure = null;
      this.opts.onRecover?.(dropped, this);
      this.opts.reporter?.fileRecovered(dropped, this);
    }
  }

  /** Whether the file has reached maxbytes (checked on disk: a copytruncate shrinks it). */
  private shouldRotate(): boolean {
    if (this.maxbytes <= 0 || this.size < this.maxbytes || !this.rotatable) return false;
    try {
      const onDisk = sizeOnDisk(this.dest!);
      // shrunk: truncated by someone else (copytruncate); what followers had not read is gone
      if (onDisk < this.size) this.generations.replaced({ inPlace: true });
      this.size = onDisk;
      this.generations.grew(onDisk);
    } catch {
      return true;
    }
    return this.size >= this.maxbytes;
  }

  /** After the renames: close the old file, open an empty one at the path. Throws. */
  private startFreshFile(): void {
    this.generations.rotated();
    this.closeDest();
    this.dest = openDestination(this.path, true);
    this.size = 0;
    this.generations.opened(this.dest, 0);
  }

  private rotationFailed(err: WriteError): void {
    this.generations.rotationFailed();
    this.closeDest();
    this.fail(err, 0);
  }

  /** Opens the path; on failure starts (or continues) an incident and returns the error. */
  private tryOpen(truncate: boolean): WriteError | null {
    this.pending = false;
    try {
      this.dest = openDestination(this.path, truncate);
      this.size = this.dest.kind === 'file' ? this.dest.size : 0;
      this.generations.opened(this.dest, this.size);
      return null;
    } catch (err) {
      this.dest = null;
      this.fail(err as WriteError, 0);
      return err as WriteError;
    }
  }

  private fail(err: WriteError, length: number): void {
    const written = err.written ?? 0;
    if (written > 0) {
      this.writtenBytes += written;
      this.size += written;
      this.generations.grew(this.size);
    }
    this.closeDest();
    const first = this.failure === null;
    if (first) this.failure = { lastAttempt: this.now(), dropped: 0 };
    else this.failure!.lastAttempt = this.now();
    this.drop(length - written);
    if (first) {
      this.opts.onError?.(err, this);
      this.opts.reporter?.fileFailed(err, this);
    }
  }

  private drop(length: number): void {
    this.droppedBytes += length;
    if (this.failure) this.failure.dropped += length;
  }

  private closeDest(): void {
    if (this.dest) closeDestination(this.dest);
    this.dest = null;
  }

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }
}

/** Whether `path` is a regular file (false when missing); other errors are thrown. */
function isRegularFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

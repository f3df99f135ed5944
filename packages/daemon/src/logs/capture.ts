/**
 * Capturing one channel (stdout or stderr) of a child into its log.
 *
 * Backpressure: the pipe is read while the previous write is in progress, but only up to
 * `maxPendingBytes` (1 MiB by default); beyond that the pipe is paused until the write is done,
 * so a fast child blocks on its full pipe and the daemon holds at most about maxPendingBytes
 * plus one read per channel. What piled up during a write goes out in one writev, and so do
 * small reads of one event-loop turn.
 *
 * The capture ends when the pipe ends ('end', or 'close'/'error': every writer closed it), not
 * when the child exits, so output written just before exit is kept (and so is the output of
 * grandchildren still holding the pipe).
 *
 * A PipeSource (the daemon's child pipes) is read without the Readable machinery: chunks come
 * straight from its reads, and its pooled buffers go back to it once written.
 *
 * Splicing: when a channel's bytes are needed only by its log file (no strip_ansi, no
 * timestamps, and the listener says nothing else wants them: see CaptureListener.wantsBytes),
 * the capture asks the file (beginSplice) and the PipeSource to move them pipe → file inside
 * the kernel, splice(2), each time its writes are done and the file is idle; they then never
 * enter the daemon's memory (20–37 % less of its CPU per GiB: BENCHMARKS.md). It reads again
 * as soon as they are needed (stopSplicing: a live follower, a readiness check), when the file
 * wants its descriptor (spliceStopped: a rotation, a reopen, a clear) or if splice fails.
 * TSV_LOG_SPLICE=0 in the daemon's environment turns it off.
 *
 * With no sink (supervisor's NONE) the output is read and discarded. `onData` still sees every
 * chunk, because supervisor still raises PROCESS_LOG events and echoes to the main log at
 * debug level for NONE; whether `tail -f` followers get it is the caller's choice (supervisor
 * has no file to tail then, so `tail -f` fails with NO_FILE).
 */
import { finished, type Readable } from 'node:stream';
import type { LogChannel } from '@tsupervisor/protocol';
import { AnsiStripper } from './ansi.js';
import { LineStamper } from './line-stamper.js';
import { PipeSource, type ChunkConsumer, type OutputStream } from './pipe-source.js';
import type { LogSink, Splicer } from './log-sink.js';

/** Pending output this large is written at once; less waits for the end of the poll phase. */
const WRITE_AT_ONCE = 64 * 1024;
/** Whether captures may splice (see the header). */
const SPLICE = process.env.TSV_LOG_SPLICE !== '0';

export interface CaptureOptions {
  /** Remove ANSI escapes (supervisor's `strip_ansi`). */
  stripAnsi?: boolean;
  /** Prefix each line with `YYYY-MM-DD HH:MM:SS,mmm ` (tsupervisor's `log_timestamps`). */
  timestamps?: boolean;
  /**
   * Every chunk as logged (after stripping and stamping): followers, events. Must not throw, and
   * must not keep the Buffer after returning (a PipeSource's buffers are reused).
   */
  onData?: (chunk: Buffer) => void;
  /** Read-ahead while a write is pending, in bytes (default 1 MiB; 0 = one chunk at a time). */
  maxPendingBytes?: number;
  /** Clock for timestamps (tests). */
  now?: () => Date;
  /** Called once, at the start, with a handle on the capture (see CaptureHandle). */
  onStart?: (handle: CaptureHandle) => void;
}

/** A running capture, for a follower that joins its log. */
export interface CaptureHandle {
  readonly sink: LogSink | null;
  /**
   * Hands every chunk already passed to `onData` to the sink now (queued behind any write in
   * progress), so that whatever the sink is asked next comes after them and before any later
   * chunk: the exact point where a follower's head (read from the file) ends and its live output
   * (from `onData`) begins.
   */
  cut(): void;
}

export interface CaptureResult {
  /** Bytes read from the child. */
  bytesRead: number;
  /** Bytes handed to the sink (after stripping and stamping). */
  bytesLogged: number;
  /** The stream's error, if it ended with one (the capture still settles normally). */
  error: Error | null;
}

/**
 * Who hears of a Capture (ChildLogs: one object for all its captures, rather than closures per
 * capture, which a daemon would keep for every program's whole life).
 */
export interface CaptureListener {
  /** Every chunk as logged (after stripping and stamping). Must not keep the Buffer. */
  captured(capture: Capture, chunk: Buffer): void;
  /** The pipe ended and everything read was handed to the sink and written. Called once. */
  captureEnded(capture: Capture, result: CaptureResult): void;
  /**
   * Whether anyone but the log file needs this capture's bytes now (followers fed live, events,
   * syslog, checks): if not, they may be spliced into the file. Absent: they are needed.
   */
  wantsBytes?(capture: Capture): boolean;
  /** The capture started (true) or stopped (false) splicing. */
  splicing?(capture: Capture, on: boolean): void;
}

/** Reads `stream` to its end into `sink` (null = discard). Never rejects. */
export function captureOutput(stream: OutputStream, sink: LogSink | null, opts: CaptureOptions = {}): Promise<CaptureResult> {
  return new Promise((resolve) => {
    const capture = new Capture(stream, sink, opts, {
      captured: (_, chunk) => opts.onData?.(chunk),
      captureEnded: (_, result) => resolve(result),
    });
    opts.onStart?.(capture);
    capture.start();
  });
}

/** Writes in progress and deferred flushes, over every capture (reexec waits for 0). */
let busy = 0;

/** Resolves once no capture has anything read but not yet written (polls: reexec only). */
export function capturesIdle(): Promise<void> {
  return new Promise((resolve) => {
    const check = (): void => {
      if (busy === 0) resolve();
      else setTimeout(check, 1);
    };
    check();
  });
}

function releaseAll(chunks: Buffer[]): void {
  for (const c of chunks) PipeSource.release(c);
}

/**
 * One channel's capture state. A class rather than closures: a daemon runs thousands of these
 * for its whole life, and methods on the prototype cost nothing per channel.
 */
export class Capture implements ChunkConsumer, CaptureHandle, Splicer {
  private readonly direct: PipeSource | null;
  private readonly stripper: AnsiStripper | null;
  private readonly stamper: LineStamper | null;
  private readonly result: CaptureResult = { bytesRead: 0, bytesLogged: 0, error: null };
  private pending: Buffer[] = [];
  private pendingLent: Buffer[] = [];
  private pendingBytes = 0;
  private writing = false;
  /** Writes started by cut() while another was in progress. */
  private cutWrites = 0;
  private deferred = false;
  private paused = false;
  private ended = false;
  private settled = false;
  /** The pipe's bytes go to the sink by splice(2) now. */
  private splicing = false;
  /** splice failed once: this capture reads from now on. */
  private noSplice = false;

  /** `channel`: the log this capture writes ('stdout' for a redirected stderr), for the listener. */
  constructor(
    private readonly stream: OutputStream,
    readonly sink: LogSink | null,
    private readonly opts: CaptureOptions,
    private readonly listener: CaptureListener,
    readonly channel: LogChannel = 'stdout',
  ) {
    this.direct = stream instanceof PipeSource ? stream : null;
    this.stripper = opts.stripAnsi ? new AnsiStripper() : null;
    this.stamper = opts.timestamps ? new LineStamper() : null;
  }

  /** Starts reading. A PipeSource hands its chunks over directly, some of them lent (returned once written). */
  start(): void {
    if (this.direct) {
      this.direct.consume(this);
      return;
    }
    const stream = this.stream as Readable;
    stream.on('data', (chunk: Buffer | string) => {
      if (!this.data(typeof chunk === 'string' ? Buffer.from(chunk) : chunk, false)) stream.pause();
    });
    finished(stream, { writable: false }, (err) => this.end(err ?? null));
  }

  /** A chunk read; returns false when reading should pause until the pending write is done. */
  data(chunk: Buffer, lent: boolean): boolean {
    this.result.bytesRead += chunk.length;
    if (lent && this.sink) this.pendingLent.push(chunk); // released once the batch holding it is written
    const more = this.log(this.stripper ? this.stripper.strip(chunk) : chunk);
    if (lent && !this.sink) PipeSource.release(chunk);
    return more;
  }

  end(err: Error | null): void {
    this.stopSplicing();
    if (err && (err as NodeJS.ErrnoException).code !== 'ERR_STREAM_PREMATURE_CLOSE') this.result.error = err;
    if (this.stripper) this.log(this.stripper.flush());
    this.ended = true;
    if (!this.writing) this.flush();
  }

  cut(): void {
    if (!this.sink || this.pending.length === 0) return;
    if (!this.writing) {
      this.flush();
      return;
    }
    // The sink writes in call order: this batch goes out after the one in progress.
    const batch = this.pending;
    const lent = this.pendingLent;
    this.pending = [];
    this.pendingLent = [];
    this.pendingBytes = 0;
    this.resume(); // as flush() does once it has taken the pending chunks
    this.cutWrites++;
    busy++;
    const done = (): void => {
      busy--;
      releaseAll(lent);
      this.cutWrites--;
      this.settle();
    };
    this.sink.write(batch).then(done, done);
  }

  private settle(): void {
    if (this.settled || !this.ended || this.writing || this.cutWrites > 0 || this.deferred || this.pending.length > 0) return;
    this.settled = true;
    this.listener.captureEnded(this, this.result);
  }

  /** While splicing: `n` bytes went into the file, in `ms`. */
  spliced(n: number, ms: number): boolean {
    this.result.bytesRead += n;
    this.result.bytesLogged += n;
    const next = this.sink?.spliced?.(n, ms) ?? null;
    if (!next || this.listener.wantsBytes?.(this) !== false) {
      // the file rotates (its queue has the rotation), or someone needs the bytes now
      this.stopSplicing();
    } else if (next.limit > 0) this.direct!.spliceTo(next.fd, next.limit);
    return true;
  }

  splicedAtStop(n: number): void {
    this.result.bytesRead += n;
    this.result.bytesLogged += n;
    this.sink?.splicedAtStop?.(n);
  }

  spliceFailed(_error: Error, lost: number): void {
    this.result.bytesRead += lost;
    if (lost > 0) this.sink?.spliceLost?.(lost);
    this.noSplice = true;
    this.stopSplicing();
  }

  /** The file needs its descriptor (a write of another capture, a reopen, a clear, a head). */
  spliceStopped(): void {
    if (!this.splicing) return;
    this.splicing = false;
    this.direct?.spliceTo(null);
    this.listener.splicing?.(this, false);
  }

  /** Reads the pipe again (its bytes are needed, or the pipe ended). */
  stopSplicing(): void {
    if (!this.splicing) return;
    this.sink?.endSplice?.(this);
    this.spliceStopped();
  }

  /** Whether the bytes could go by splice now, as far as this capture can tell (see header). */
  private spliceable(): boolean {
    if (this.splicing || this.noSplice || !SPLICE || this.ended || !this.direct || !this.sink?.beginSplice) return false;
    return !this.stripper && !this.stamper && this.listener.wantsBytes?.(this) === false;
  }

  /**
   * While splicing: the pipe's fd, the log's path and the bytes it may take before it rotates,
   * for a pump that goes on splicing while the daemon re-executes itself (reexec/pump.ts).
   */
  spliceHandOver(): { fd: number; path: string; limit: number } | null {
    const fd = this.splicing ? this.direct?.pipeFd : null;
    const file = fd != null ? this.sink?.spliceHandOver?.() : null;
    return fd != null && file ? { fd, ...file } : null;
  }

  /** Everything read is written: splice from now on if nothing needs the bytes (see header). */
  private trySplice(): void {
    if (!this.spliceable()) return;
    const target = this.sink!.beginSplice!(this);
    if (!target) return;
    if (!this.direct!.spliceTo(target.fd, target.limit)) {
      this.sink!.endSplice?.(this);
      return;
    }
    this.splicing = true;
    this.listener.splicing?.(this, true);
  }

  /** Writes what piled up, then again until nothing is left; resumes the pipe meanwhile. */
  private flush(): void {
    if (this.pending.length === 0 || !this.sink) {
      releaseAll(this.pendingLent); // chunks that left nothing to write (all escapes)
      this.pendingLent = [];
      this.writing = false;
      this.settle();
      if (this.cutWrites === 0 && !this.deferred) this.trySplice();
      this.resume(); // after holding for a splice (below), in whichever way it reads now
      return;
    }
    this.writing = true;
    const batch = this.pending;
    const lent = this.pendingLent;
    this.pending = [];
    this.pendingLent = [];
    this.pendingBytes = 0;
    // A flooding child would keep something pending after every write, and the capture would
    // never find the moment to start splicing: when it could, it reads nothing more until this
    // write is done, then splices (or reads again if the file cannot take a splice now).
    if (this.direct && this.spliceable() && this.sink.maySplice?.()) this.hold();
    else this.resume();
    busy++;
    const done = (): void => {
      busy--;
      releaseAll(lent);
      this.flush();
    };
    this.sink.write(batch).then(done, done);
  }

  /** Stops reading until resume(). */
  private hold(): void {
    if (!this.paused && !this.ended) {
      this.paused = true;
      this.direct!.pauseReading();
    }
  }

  /** Reads the pipe again if it was paused for a full pending buffer. */
  private resume(): void {
    if (this.paused && !this.ended) {
      this.paused = false;
      if (this.direct) this.direct.resumeReading();
      else (this.stream as Readable).resume();
    }
  }

  /** Logs a chunk; returns false when reading should pause until the pending write is done. */
  private log(data: Buffer): boolean {
    if (data.length === 0) return true;
    if (this.stamper) data = this.stamper.stamp(data, this.opts.now ? this.opts.now() : new Date());
    try {
      this.listener.captured(this, data);
    } catch {
      // a follower's bug must not stop the capture
    }
    if (!this.sink) return true;
    this.result.bytesLogged += data.length;
    this.pending.push(data);
    this.pendingBytes += data.length;
    if (this.writing) {
      if (this.pendingBytes >= (this.opts.maxPendingBytes ?? 1024 * 1024)) this.paused = true;
    } else if (this.pendingBytes >= WRITE_AT_ONCE) this.flush();
    else if (!this.deferred) {
      // Small reads of one wakeup go out together, once the event loop's poll phase is over
      // (as supervisor, which reads what a child wrote in one go, rotates after such a write).
      this.deferred = true;
      busy++;
      setImmediate(() => {
        busy--;
        this.deferred = false;
        if (!this.writing) this.flush();
      });
    }
    return !this.paused;
  }
}

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
 * With no sink (supervisor's NONE) the output is read and discarded. `onData` still sees every
 * chunk, because supervisor still raises PROCESS_LOG events and echoes to the main log at
 * debug level for NONE; whether `tail -f` followers get it is the caller's choice (supervisor
 * has no file to tail then, so `tail -f` fails with NO_FILE).
 */
import { finished, type Readable } from 'node:stream';
import { AnsiStripper } from './ansi.js';
import { LineStamper } from './line-stamper.js';
import { PipeSource } from './pipe-source.js';
import type { LogSink } from './rotating-file.js';

/** Pending output this large is written at once; less waits for the end of the poll phase. */
const WRITE_AT_ONCE = 64 * 1024;

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
}

export interface CaptureResult {
  /** Bytes read from the child. */
  bytesRead: number;
  /** Bytes handed to the sink (after stripping and stamping). */
  bytesLogged: number;
  /** The stream's error, if it ended with one (the capture still settles normally). */
  error: Error | null;
}

/** Reads `stream` to its end into `sink` (null = discard). Never rejects. */
export function captureOutput(stream: Readable, sink: LogSink | null, opts: CaptureOptions = {}): Promise<CaptureResult> {
  const stripper = opts.stripAnsi ? new AnsiStripper() : null;
  const stamper = opts.timestamps ? new LineStamper() : null;
  const now = opts.now ?? (() => new Date());
  const maxPending = opts.maxPendingBytes ?? 1024 * 1024;
  const result: CaptureResult = { bytesRead: 0, bytesLogged: 0, error: null };
  // A PipeSource hands its chunks over directly, some of them lent (returned once written).
  const direct = stream instanceof PipeSource ? stream : null;

  let pending: Buffer[] = [];
  let pendingLent: Buffer[] = [];
  let pendingBytes = 0;
  let writing = false;
  let deferred = false;
  let paused = false;
  let ended = false;

  const releaseAll = (chunks: Buffer[]): void => {
    for (const c of chunks) PipeSource.release(c);
  };

  return new Promise((resolve) => {
    const settle = (): void => {
      if (ended && !writing && !deferred && pending.length === 0) resolve(result);
    };

    // Writes what piled up, then again until nothing is left; resumes the pipe meanwhile.
    const flush = (): void => {
      if (pending.length === 0 || !sink) {
        releaseAll(pendingLent); // chunks that left nothing to write (all escapes)
        pendingLent = [];
        writing = false;
        settle();
        return;
      }
      writing = true;
      const batch = pending;
      const lent = pendingLent;
      pending = [];
      pendingLent = [];
      pendingBytes = 0;
      if (paused && !ended) {
        paused = false;
        if (direct) direct.resumeReading();
        else stream.resume();
      }
      const done = (): void => {
        releaseAll(lent);
        flush();
      };
      sink.write(batch).then(done, done);
    };

    /** Logs a chunk; returns false when reading should pause until the pending write is done. */
    const log = (data: Buffer): boolean => {
      if (data.length === 0) return true;
      if (stamper) data = stamper.stamp(data, now());
      if (opts.onData) {
        try {
          opts.onData(data);
        } catch {
          // a follower's bug must not stop the capture
        }
      }
      if (!sink) return true;
      result.bytesLogged += data.length;
      pending.push(data);
      pendingBytes += data.length;
      if (writing) {
        if (pendingBytes >= maxPending) paused = true;
      } else if (pendingBytes >= WRITE_AT_ONCE) flush();
      else if (!deferred) {
        // Small reads of one wakeup go out together, once the event loop's poll phase is over
        // (as supervisor, which reads what a child wrote in one go, rotates after such a write).
        deferred = true;
        setImmediate(() => {
          deferred = false;
          if (!writing) flush();
        });
      }
      return !paused;
    };

    const read = (chunk: Buffer, lent: boolean): boolean => {
      result.bytesRead += chunk.length;
      if (lent && sink) pendingLent.push(chunk); // released once the batch holding it is written
      const more = log(stripper ? stripper.strip(chunk) : chunk);
      if (lent && !sink) PipeSource.release(chunk);
      return more;
    };

    const end = (err: Error | null): void => {
      if (err && (err as NodeJS.ErrnoException).code !== 'ERR_STREAM_PREMATURE_CLOSE') result.error = err;
      if (stripper) log(stripper.flush());
      ended = true;
      if (!writing) flush();
    };

    if (direct) {
      direct.consume({ data: read, end });
      return;
    }
    stream.on('data', (chunk: Buffer | string) => {
      if (!read(typeof chunk === 'string' ? Buffer.from(chunk) : chunk, false)) stream.pause();
    });
    finished(stream, { writable: false }, (err) => end(err ?? null));
  });
}

/**
 * Capturing one channel (stdout or stderr) of a child into its log.
 *
 * Backpressure: one chunk is read, transformed and written before the next is read; while the
 * write is pending the pipe is not read, so a fast child blocks on its full pipe and the daemon
 * holds at most a chunk or two per channel. The capture ends when the pipe ends ('end' or
 * 'close': every writer closed it), not when the child exits, so output written just before
 * exit is kept (and so is the output of grandchildren still holding the pipe).
 *
 * With no sink (supervisor's NONE) the output is read and discarded. `onData` still sees every
 * chunk, because supervisor still raises PROCESS_LOG events and echoes to the main log at
 * debug level for NONE; whether `tail -f` followers get it is the caller's choice (supervisor
 * has no file to tail then, so `tail -f` fails with NO_FILE).
 */
import type { Readable } from 'node:stream';
import { AnsiStripper } from './ansi.js';
import { LineStamper } from './line-stamper.js';
import type { LogSink } from './rotating-file.js';

export interface CaptureOptions {
  /** Remove ANSI escapes (supervisor's `strip_ansi`). */
  stripAnsi?: boolean;
  /** Prefix each line with `YYYY-MM-DD HH:MM:SS,mmm ` (tsupervisor's `log_timestamps`). */
  timestamps?: boolean;
  /** Every chunk as logged (after stripping and stamping): followers, events. Must not throw. */
  onData?: (chunk: Buffer) => void;
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
export async function captureOutput(
  stream: Readable,
  sink: LogSink | null,
  opts: CaptureOptions = {},
): Promise<CaptureResult> {
  const stripper = opts.stripAnsi ? new AnsiStripper() : null;
  const stamper = opts.timestamps ? new LineStamper() : null;
  const now = opts.now ?? (() => new Date());
  const result: CaptureResult = { bytesRead: 0, bytesLogged: 0, error: null };

  const emit = async (data: Buffer): Promise<void> => {
    if (data.length === 0) return;
    if (stamper) data = stamper.stamp(data, now());
    if (opts.onData) {
      try {
        opts.onData(data);
      } catch {
        // a follower's bug must not stop the capture
      }
    }
    if (sink) {
      result.bytesLogged += data.length;
      await sink.write(data);
    }
  };

  try {
    for await (const chunk of stream) {
      const data = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
      result.bytesRead += data.length;
      await emit(stripper ? stripper.strip(data) : data);
    }
  } catch (err) {
    result.error = err as Error;
  }
  if (stripper) await emit(stripper.flush());
  return result;
}

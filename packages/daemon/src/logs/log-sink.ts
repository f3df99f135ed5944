/**
 * What a log file promises its writers (LogSink, which Capture writes to) and how a
 * RotatingFile is configured: supervisor's maxbytes and backups, its failure reporting and
 * lazy opening. Apart from rotating-file.ts so that the options read on their own.
 */
import type { RotatingFile } from './rotating-file.js';

export interface RotatingFileReporter {
  fileFailed(err: NodeJS.ErrnoException, file: RotatingFile): void;
  fileRecovered(droppedBytes: number, file: RotatingFile): void;
}

export interface RotatingFileOptions {
  /** Rotate once the file reaches this size; 0 = never (supervisor's `*_maxbytes`). */
  maxbytes?: number;
  /** How many old files to keep: name.1 … name.N (supervisor's `*_backups`). */
  backups?: number;
  /** Called once per incident with the first error (the daemon logs it). */
  onError?: (err: NodeJS.ErrnoException, file: RotatingFile) => void;
  /** Called when writing works again, with the bytes dropped during the incident. */
  onRecover?: (droppedBytes: number, file: RotatingFile) => void;
  /** The same two, as methods of one object (a process's logs report for both its files). */
  reporter?: RotatingFileReporter;
  /** Minimum time between reopen attempts while failing (default 1000 ms). */
  retryDelayMs?: number;
  /** Clock for the retry delay (tests). */
  now?: () => number;
  /**
   * Open the path at the first write or reopen, not now: supervisor opens a program's log file
   * when it first spawns it, so a program never started has none.
   */
  lazy?: boolean;
  /** The file is being made elsewhere (an AUTO log, logs/auto-logs.ts): every operation waits for it. */
  made?: Promise<void>;
}

/** Where captured output goes: chunks are written in order, as one piece (never split). */
export interface LogSink {
  write(data: Uint8Array | Uint8Array[]): Promise<void>;
  /** A file the kernel may splice a pipe into (RotatingFile): see there. */
  beginSplice?(splicer: Splicer): SpliceTarget | null;
  maySplice?(): boolean;
  spliced?(n: number, ms: number): SpliceTarget | null;
  /** A stopped splice had moved `n` more bytes in (counted as written, as spliced() does). */
  splicedAtStop?(n: number): void;
  /** A splice's copier read `n` bytes the file then refused (counted as dropped). */
  spliceLost?(n: number): void;
  endSplice?(splicer: Splicer): void;
  spliceHandOver?(): { path: string; limit: number } | null;
}

/** Who splices into a file (a capture): told when the file needs the splice to stop. */
export interface Splicer {
  /** Stop splicing now and read again (the file is about to be written, reopened or read). */
  spliceStopped(): void;
}

/** Where to splice: the file's descriptor (O_APPEND cleared) and bytes before it rotates (0: no limit). */
export interface SpliceTarget {
  fd: number;
  limit: number;
}

export function byteLength(data: Uint8Array | Uint8Array[]): number {
  if (!Array.isArray(data)) return data.length;
  let n = 0;
  for (const c of data) n += c.length;
  return n;
}

/**
 * Opening the thing a log path names, and writing bytes to it. Three kinds:
 * - `file`: a regular file or a character device (tty, /dev/null, /dev/full); only a regular
 *   file outside /dev and /proc may rotate. A regular file on a local filesystem is written at
 *   once, on the calling thread, as supervisor does: the kernel then reuses the pages the pipe
 *   read just freed, still in the cache, for the page cache, and the daemon's CPU per GiB halves
 *   compared with handing each write to libuv's thread pool (a writer thread copying while the
 *   main thread reads). When writes to a file stall the event loop for more than
 *   STALL_BUDGET_MS in a second (time beyond 20 ms per MiB written: the kernel pausing a writer
 *   that outruns the disk), that file goes to the thread pool for ASYNC_FOR_MS. Steady writing,
 *   however much, and the odd 5-50 ms write of a busy machine do not count. Anything else
 *   (ttys, network and FUSE filesystems, which can block indefinitely) always goes through the
 *   pool.
 * - `stream`: a FIFO or socket (a `/dev/stdout` that is a pipe), opened non-blocking and written
 *   through a net.Socket, so a slow reader never ties up a pool thread and nothing seeks.
 * - `/dev/stdout` / `/dev/stderr` that cannot be opened by path (ENXIO: a socket, e.g. systemd's
 *   journal) fall back to process.stdout / process.stderr, which are never closed.
 */
import { closeSync, constants, fstatSync, openSync, statfsSync, statSync, writev, writevSync, writeSync } from 'node:fs';
import { Socket } from 'node:net';
import type { Writable } from 'node:stream';

export type Destination = FileDestination | StreamDestination;

export interface FileDestination {
  kind: 'file';
  fd: number;
  rotatable: boolean;
  size: number;
  /** A regular file on a local filesystem: may be written synchronously. */
  local: boolean;
  /** Until when (ms since the epoch) writes go to the thread pool after slow ones. */
  asyncUntil: number;
  /** Stall time of synchronous writes since `windowStart` (performance.now() ms). */
  stalledMs: number;
  windowStart: number;
}

/** Synchronous writes may stall the event loop this long per second before a file goes async. */
export const STALL_BUDGET_MS = 100;
/** A write taking longer than this per byte stalls (20 ms per MiB, i.e. below 50 MiB/s). */
const EXPECTED_MS_PER_BYTE = 20 / (1024 * 1024);
/** How long a file is then written through the thread pool before trying again. */
export const ASYNC_FOR_MS = 10_000;

/** statfs f_type of filesystems whose writes never wait on a network or a user process. */
const LOCAL_FS = new Set([
  0xef53, // ext2/3/4
  0x58465342, // xfs
  0x9123683e, // btrfs
  0x01021994, // tmpfs
  0x794c7630, // overlayfs (containers)
  0x2fc12fc1, // zfs
  0xf2f52010, // f2fs
  0x3153464a, // jfs
  0x52654973, // reiserfs
]);

function onLocalFs(path: string): boolean {
  try {
    return LOCAL_FS.has(Number(statfsSync(path).type));
  } catch {
    return false;
  }
}

export interface StreamDestination {
  kind: 'stream';
  stream: Writable;
  /** Ours to destroy (false for process.stdout / process.stderr). */
  owned: boolean;
  /** The error the stream reported, if any: it is unusable from then on. */
  broken: Error | null;
  onError: (err: Error) => void;
}

const { O_WRONLY, O_APPEND, O_CREAT, O_TRUNC, O_NONBLOCK } = constants;

function isStdStreamPath(path: string): boolean {
  return path === '/dev/stdout' || path === '/dev/stderr';
}

/**
 * Nothing is created right in /dev or anywhere in /proc: with the /dev/stdout symlink missing
 * (removed by a program that rotated it away), O_CREAT would make a regular file there that
 * every later `stdout_logfile=/dev/stdout` on the machine appends to.
 */
function mayCreate(path: string): boolean {
  return !/^\/dev\/[^/]+$/.test(path) && !path.startsWith('/proc/');
}

/** A path under /dev or /proc is never renamed or removed, whatever it resolves to. */
function isSpecialPath(path: string): boolean {
  return /^\/(dev|proc)\//.test(path);
}

function pathIsFifoOrSocket(path: string): boolean {
  try {
    const st = statSync(path);
    return st.isFIFO() || st.isSocket();
  } catch {
    return false;
  }
}

function streamDestination(stream: Writable, owned: boolean): Destination {
  const target: StreamDestination = {
    kind: 'stream',
    stream,
    owned,
    broken: null,
    onError: (err: Error) => {
      target.broken = err;
    },
  };
  stream.on('error', target.onError);
  return target;
}

/**
 * Opens `path` for appending (created with mode 0666 & ~umask). `truncate` starts it empty
 * (after a rotation without backups). Throws the open error (ENOENT, EACCES, ENOTDIR, ENXIO …).
 */
export function openDestination(path: string, truncate = false): Destination {
  // A FIFO is opened non-blocking: no reader yet means ENXIO now, not a pool thread stuck in open.
  const fifo = pathIsFifoOrSocket(path);
  let fd: number;
  try {
    fd = openSync(path, O_WRONLY | O_APPEND | (mayCreate(path) ? O_CREAT : 0) | (fifo ? O_NONBLOCK : 0) | (truncate ? O_TRUNC : 0), 0o666);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENXIO' && isStdStreamPath(path)) {
      return streamDestination(path === '/dev/stdout' ? process.stdout : process.stderr, false);
    }
    throw err;
  }
  const st = fstatSync(fd);
  if (st.isFIFO() || st.isSocket()) {
    return streamDestination(new Socket({ fd, readable: false, writable: true }), true);
  }
  const rotatable = st.isFile() && !isSpecialPath(path);
  const local = st.isFile() && onLocalFs(path);
  return { kind: 'file', fd, rotatable, size: st.isFile() ? st.size : 0, local, asyncUntil: 0, stalledMs: 0, windowStart: 0 };
}

export function closeDestination(target: Destination): void {
  if (target.kind === 'file') {
    try {
      closeSync(target.fd);
    } catch {
      // already closed or EIO on close: nothing more to do with this descriptor
    }
  } else if (target.owned) {
    target.stream.destroy(); // keeps its error listener: a late error must not go unhandled
  } else {
    target.stream.off('error', target.onError);
  }
}

function writevAt(fd: number, chunks: Uint8Array[]): Promise<number> {
  return new Promise((resolve, reject) => {
    writev(fd, chunks as NodeJS.ArrayBufferView[], null, (err, n) => (err ? reject(err) : resolve(n)));
  });
}

/** The chunks that remain after the first `n` bytes of `chunks` were written. */
function skipBytes(chunks: Uint8Array[], n: number): Uint8Array[] {
  let i = 0;
  while (i < chunks.length && n >= chunks[i]!.length) n -= chunks[i++]!.length;
  const rest = chunks.slice(i);
  if (n > 0) rest[0] = rest[0]!.subarray(n);
  return rest;
}

/**
 * Writes all of `chunks`, in order (one writev(2) when the kernel takes it all); resolves when
 * the kernel has them (the caller's backpressure). On error, rejects with `written` set to the
 * bytes that did get out before it. A local regular file is written before this returns (see
 * the header); the returned promise is then already settled.
 */
export async function writeToDestination(target: Destination, chunks: Uint8Array[]): Promise<void> {
  if (target.kind === 'stream') {
    if (target.broken) throw target.broken;
    const stream = target.stream;
    for (let i = 0; i < chunks.length - 1; i++) stream.write(chunks[i]);
    await new Promise<void>((resolve, reject) => {
      stream.write(chunks[chunks.length - 1], (err) => (err ? reject(err) : resolve()));
    });
    return;
  }
  const sync = target.local && Date.now() >= target.asyncUntil;
  const started = sync ? performance.now() : 0;
  let written = 0;
  let rest = chunks;
  try {
    while (rest.length > 0) {
      const n = sync ? writevSync(target.fd, rest as NodeJS.ArrayBufferView[]) : await writevAt(target.fd, rest);
      written += n;
      rest = skipBytes(rest, n);
    }
  } catch (err) {
    (err as WriteError).written = written;
    throw err;
  }
  if (sync) stalled(target, started, performance.now(), written);
}

/** Accounts a synchronous write of `bytes` from `started` to `now`; over budget, the file goes async. */
export function stalled(target: FileDestination, started: number, now: number, bytes: number): void {
  const stall = now - started - bytes * EXPECTED_MS_PER_BYTE;
  if (stall <= 0) return;
  if (now - target.windowStart > 1000) {
    target.windowStart = started;
    target.stalledMs = 0;
  }
  target.stalledMs += stall;
  if (target.stalledMs > STALL_BUDGET_MS) {
    target.asyncUntil = Date.now() + ASYNC_FOR_MS;
    target.stalledMs = 0;
  }
}

/** Synchronous variant (the daemon's own log). A stream target gets an ordinary buffered write. */
export function writeToDestinationSync(target: Destination, data: Uint8Array): void {
  if (target.kind === 'stream') {
    if (target.broken) throw target.broken;
    target.stream.write(data);
    return;
  }
  let off = 0;
  try {
    while (off < data.length) off += writeSync(target.fd, data, off, data.length - off);
  } catch (err) {
    (err as WriteError).written = off;
    throw err;
  }
}

export interface WriteError extends NodeJS.ErrnoException {
  written?: number;
}

/** The size on disk now (an external truncate or copytruncate changes it behind our back). */
export function sizeOnDisk(target: Destination): number {
  return target.kind === 'file' ? fstatSync(target.fd).size : 0;
}

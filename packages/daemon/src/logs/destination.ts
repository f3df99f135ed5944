/**
 * Opening the thing a log path names, and writing bytes to it. Three kinds:
 * - `file`: a regular file or a character device (tty, /dev/null, /dev/full), written with
 *   fs.write (libuv's thread pool); only a regular file outside /dev and /proc may rotate.
 * - `stream`: a FIFO or socket (a `/dev/stdout` that is a pipe), opened non-blocking and written
 *   through a net.Socket, so a slow reader never ties up a pool thread and nothing seeks.
 * - `/dev/stdout` / `/dev/stderr` that cannot be opened by path (ENXIO: a socket, e.g. systemd's
 *   journal) fall back to process.stdout / process.stderr, which are never closed.
 */
import { closeSync, constants, fstatSync, openSync, statSync, writev, writeSync } from 'node:fs';
import { Socket } from 'node:net';
import type { Writable } from 'node:stream';

export type Destination = FileDestination | StreamDestination;

export interface FileDestination {
  kind: 'file';
  fd: number;
  rotatable: boolean;
  size: number;
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
    fd = openSync(path, O_WRONLY | O_APPEND | O_CREAT | (fifo ? O_NONBLOCK : 0) | (truncate ? O_TRUNC : 0), 0o666);
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
  return { kind: 'file', fd, rotatable, size: st.isFile() ? st.size : 0 };
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
 * bytes that did get out before it.
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
  let written = 0;
  let rest = chunks;
  try {
    while (rest.length > 0) {
      const n = await writevAt(target.fd, rest);
      written += n;
      rest = skipBytes(rest, n);
    }
  } catch (err) {
    (err as WriteError).written = written;
    throw err;
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

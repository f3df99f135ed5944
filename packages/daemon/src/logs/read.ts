/**
 * Reading logs for the RPC methods, with supervisor's semantics (options.py readFile/tailFile,
 * rpcinterface.py readLog/_readProcessLog/_tailProcessLog).
 *
 * The offset arithmetic is pure (`readRange`, `tailRange`); the functions below do the I/O.
 * Bytes are decoded as UTF-8 with U+FFFD for invalid sequences (supervisor's as_string decodes
 * strictly and fails the call on binary output or on a read that splits a character).
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { Faults, RPCFault, type TailResult } from '@tsupervisor/protocol';
import type { Generations } from './generations.js';

/** A byte range to read: `length` null = to the end of the file. */
export interface ByteRange {
  start: number;
  length: number | null;
}

function toInt(value: number): number {
  if (!Number.isFinite(value)) throw new RPCFault(Faults.BAD_ARGUMENTS);
  return Math.trunc(value);
}

/**
 * readFile's range for a file of `size` bytes: negative offset with length 0 → the last
 * |offset| bytes; negative offset with a length, or a negative length → BAD_ARGUMENTS;
 * length 0 → from offset to the end; an offset past the end reads nothing.
 */
export function readRange(offset: number, length: number, size: number): ByteRange {
  offset = toInt(offset);
  length = toInt(length);
  if (offset < 0) {
    if (length !== 0) throw new RPCFault(Faults.BAD_ARGUMENTS);
    return { start: Math.max(0, size + offset), length: -offset };
  }
  if (length < 0) throw new RPCFault(Faults.BAD_ARGUMENTS);
  return { start: offset, length: length === 0 ? null : length };
}

/**
 * tailFile's arithmetic: if the file has grown past offset+length, `overflow` and only the
 * last `length` bytes; fewer bytes if fewer exist; the returned offset is always the size.
 */
export function tailRange(
  offset: number,
  length: number,
  size: number,
): { start: number; length: number; offset: number; overflow: boolean } {
  offset = toInt(offset);
  length = toInt(length);
  let overflow = false;
  if (size > offset + length) {
    overflow = true;
    offset = size - 1;
  }
  if (offset + length > size) {
    if (offset > size - 1) length = 0;
    offset = size - length;
  }
  if (offset < 0) offset = 0;
  if (length < 0) length = 0;
  return { start: offset, length, offset: size, overflow };
}

/**
 * The most one read method returns at once (64 MiB; TSUPERVISORD_MAX_READ_BYTES, for tests).
 * A whole 600 MB log would be a string V8 cannot make, and its answer hundreds of MB more:
 * such a read is refused before anything is read, with a fault that says how to read it.
 */
export const MAX_READ_BYTES = Number(process.env['TSUPERVISORD_MAX_READ_BYTES']) || 64 * 1024 * 1024;

/** FAILED: the range is too large to return at once; names the size and the ways to read it. */
export function tooLarge(bytes: number, limit = MAX_READ_BYTES): RPCFault {
  return new RPCFault(
    Faults.FAILED,
    `log too large to return at once: ${bytes} bytes asked, at most ${limit} per call; ` +
      `read it in parts with an offset and a length (e.g. readProcessStdoutLog(name, offset, ${limit})), or follow it with tail -f`,
  );
}

/** Reads [start, start+length) (or to the end), clipped to the file. */
async function readBytes(path: string, compute: (size: number) => ByteRange, limit = Infinity): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const size = (await handle.stat()).size;
    const range = compute(size);
    const end = range.length === null ? size : Math.min(size, range.start + range.length);
    const want = Math.max(0, end - range.start);
    if (want > limit) throw tooLarge(want, limit);
    const buf = Buffer.allocUnsafe(want);
    let got = 0;
    while (got < want) {
      const { bytesRead } = await handle.read(buf, got, want - got, range.start + got);
      if (bytesRead === 0) break; // truncated meanwhile
      got += bytesRead;
    }
    return buf.subarray(0, got);
  } finally {
    await handle.close();
  }
}

function decode(data: Buffer): string {
  return data.toString('utf8');
}

/** Python's bytes.decode('utf-8'): a BOM is kept, anything that is not UTF-8 is an error. */
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * supervisor's read methods return as_string(data): bytes that are not UTF-8 (a range that cuts
 * a character, binary output) raise UnicodeDecodeError there, which its XML-RPC server answers
 * with 500 Internal Server Error. The same here: an error that is no fault (INTERNAL_ERROR).
 */
export class NotUtf8 extends Error {
  override name = 'UnicodeDecodeError';
}

function decodeStrict(data: Buffer): string {
  try {
    return STRICT_UTF8.decode(data);
  } catch {
    throw new NotUtf8("'utf-8' codec can't decode the bytes read");
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await (await open(path, 'r')).close();
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ENOENT';
  }
}

/**
 * readProcessStdoutLog / readProcessStderrLog / readLog: `path` null or missing → NO_FILE
 * (detail: the path); bad offsets → BAD_ARGUMENTS; an I/O error → FAILED; more than
 * MAX_READ_BYTES at once → FAILED with a detail that says so (tooLarge).
 */
export async function readLog(path: string | null, offset: number, length: number): Promise<string> {
  if (path === null || !(await exists(path))) throw new RPCFault(Faults.NO_FILE, path ?? 'None');
  let data: Buffer;
  try {
    data = await readBytes(path, (size) => readRange(offset, length, size), MAX_READ_BYTES);
  } catch (err) {
    if (err instanceof RPCFault) throw err;
    throw new RPCFault(Faults.FAILED);
  }
  return decodeStrict(data);
}

/**
 * tailProcessStdoutLog / tailProcessStderrLog: a missing file (or none) → `{'', 0, false}`;
 * an I/O error → `{'', offset, false}`, as supervisor.
 */
export async function tailLog(path: string | null, offset: number, length: number): Promise<TailResult> {
  if (path === null || !(await exists(path))) return { bytes: '', offset: 0, overflow: false };
  let result: TailResult | null = null;
  try {
    const data = await readBytes(path, (size) => {
      const t = tailRange(offset, length, size);
      result = { bytes: '', offset: t.offset, overflow: t.overflow };
      return { start: t.start, length: t.length };
    }, MAX_READ_BYTES);
    return { ...result!, bytes: decode(data) };
  } catch (err) {
    if (err instanceof RPCFault) throw err;
    return { bytes: '', offset, overflow: false };
  }
}

/** The last bytes of a log, where a follower's output starts. */
export interface LogHead {
  data: Buffer;
  /** The file holds more before `data` (it may start inside a line or a character). */
  partial: boolean;
  /** The file's size when read (a regular file). */
  size?: number;
  /** Where a follower goes on reading after `data` (a rotating log file). */
  from?: { source: Generations; pos: number };
}

/**
 * The last `bytes` bytes of the file at `path`, read synchronously (nothing is written to it
 * meanwhile). null: no file there. Anything but a regular file (a tty, a pipe) and a file that
 * cannot be read give no bytes.
 */
export function readHeadSync(path: string, bytes: number): LogHead | null {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT' ? null : { data: Buffer.alloc(0), partial: false };
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return { data: Buffer.alloc(0), partial: false };
    const start = Math.max(0, st.size - Math.max(0, Math.trunc(bytes)));
    const buf = Buffer.allocUnsafe(st.size - start);
    let got = 0;
    while (got < buf.length) {
      const n = readSync(fd, buf, got, buf.length - got, start + got);
      if (n === 0) break;
      got += n;
    }
    return { data: buf.subarray(0, got), partial: start > 0, size: start + got };
  } catch {
    return { data: Buffer.alloc(0), partial: false };
  } finally {
    closeSync(fd);
  }
}

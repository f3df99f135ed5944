/**
 * A child's pipes: made with pipe2 (supervisor uses pipes; libuv's stdio 'pipe' is a
 * socketpair) and read with libuv into the owner's buffer (tsv_pipe.c, see PipeSource).
 */
import { native, outOfDate, type PipeFds, type PipeHandle, type PipeOwner } from './addon.js';

/**
 * pipe2(O_CLOEXEC): a pipe for a child's stdout/stderr (pass `write` in spawn's stdio, then
 * close it in the daemon). Throws EMFILE/ENFILE.
 */
export function makePipe(): PipeFds {
  return native().makePipe();
}

/**
 * F_SETPIPE_SZ on either end, best effort: returns the capacity the pipe has afterwards (the old
 * one when the kernel refuses: above /proc/sys/fs/pipe-max-size, the user's pipe budget, EBUSY).
 */
export function setPipeSize(fd: number, size: number): number {
  return native().setPipeSize(fd, size);
}



let pipeInitialized = false;

function pipeRead(this: PipeOwner, n: number, spliced?: boolean, drained?: boolean, ms?: number): boolean {
  return this.pipeRead(n, spliced, drained, ms);
}

/**
 * Reads `fd` (a pipe's read end, which it takes over) with libuv, into `buffer` until
 * pipeSetBuffer changes it, calling `owner.pipeRead(n)` after each read. Reading starts with
 * pipeStart; pipeClose closes the fd (errors from reads arrive as negative n, UV_EOF at the end).
 */
export function pipeOpen(fd: number, owner: PipeOwner, buffer: Buffer): PipeHandle {
  const a = native();
  if (!pipeInitialized) {
    a.pipeInit(pipeRead as (this: object, n: number) => boolean);
    pipeInitialized = true;
  }
  return a.pipeOpen(fd, owner, buffer);
}

export function pipeSetBuffer(pipe: PipeHandle, buffer: Buffer): void {
  native().pipeSetBuffer(pipe, buffer);
}

export function pipeStart(pipe: PipeHandle): void {
  native().pipeStart(pipe);
}

/**
 * pipeStop, pipeClose and pipeSplice stop a flooding channel's copier thread (tsv_pipe.c) if one
 * runs: they return the bytes it wrote into the file that the owner has not heard of yet.
 */
export function pipeStop(pipe: PipeHandle): number {
  return native().pipeStop(pipe) ?? 0;
}

export function pipeClose(pipe: PipeHandle): number {
  return native().pipeClose(pipe) ?? 0;
}

/**
 * The first read holding a newline writes one byte to (a copy of) `fd` before the owner hears
 * of it: an armed dependent's gate let go by a ready=fd:N line with no JS on the way. pipeClose
 * disables it if it has not fired.
 */
export function pipeGoOnNewline(pipe: PipeHandle, fd: number): void {
  const a = native();
  if (!a.pipeGoOnNewline) throw outOfDate('pipeGoOnNewline');
  a.pipeGoOnNewline(pipe, fd);
}

/** Forgets pipeGoOnNewline's gate; whether it had fired. */
export function pipeGoCancel(pipe: PipeHandle): boolean {
  return native().pipeGoCancel?.(pipe) ?? false;
}

/**
 * From now on the pipe's bytes go to the regular file `fd` (not O_APPEND: setFdAppend) inside
 * the kernel, written at its end, `limit` bytes at most (0: no limit) until called again; the
 * owner hears `pipeRead(n, true, drained, ms)` after each wake-up. `fd` -1: read into buffers again.
 * `flooding`: the channel floods, so a copier thread takes the pipe at once rather than the poll.
 */
export function pipeSplice(pipe: PipeHandle, fd: number, limit: number, flooding = false): number {
  return native().pipeSplice(pipe, fd, limit, flooding) ?? 0;
}

/** Sets (or clears) O_APPEND on `fd`: the kernel splices into no O_APPEND file. */
export function setFdAppend(fd: number, on: boolean): void {
  native().setFdAppend(fd, on);
}

/** libuv's end-of-file code, as pipeRead receives it. */
export const UV_EOF = -4095;

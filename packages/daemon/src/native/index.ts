/**
 * The native layer of tsupervisord: a small C Node-API addon (listening sockets that libuv never
 * polls, rlimits, SO_PEERCRED, user/group lookup, subreaper) and the exec shim `tsv-exec`
 * (setpgid, user, umask, directory, parent-death signal and socket placement between fork and
 * exec). Both are built by `native/build.mjs` at `pnpm install`; see native/README.md.
 *
 * The addon is loaded lazily on the first call, so importing this module never fails. If the build
 * is missing (pnpm 12 skips install scripts on an up-to-date tree) the first call builds it once;
 * if that fails too, it throws an Error with code 'ERR_TSV_NATIVE_NOT_BUILT' ("run pnpm install").
 * Call ensureNative() at daemon startup to fail early.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import { ADDON_PATH, buildOnce, notBuilt, SHIM_PATH } from './locate.js';

/** An error thrown by the addon: shaped like Node's own system errors. */
export interface NativeError extends Error {
  /** errno name: 'EADDRINUSE', 'EACCES', 'EEXIST' (non-socket file at a unix path), ... */
  code: string;
  /** Negative errno, as in Node's system errors (-98 for EADDRINUSE). */
  errno: number;
  syscall: string;
  /** listenTcp: "host:port" (IPv6 as "[host]:port"). */
  address?: string;
  /** listenUnix: the socket path. */
  path?: string;
}

export type RlimitResource = 'nofile' | 'nproc' | 'core';

/** Infinity stands for RLIM_INFINITY (unlimited), both ways. */
export interface Rlimit {
  soft: number;
  hard: number;
}

export interface PeerCred {
  pid: number;
  uid: number;
  gid: number;
}

export interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
  shell: string;
}

export type SockName =
  | { family: 'IPv4' | 'IPv6'; address: string; port: number }
  | { family: 'unix'; path: string }
  | { family: 'unknown' };

export interface ReapResult {
  pid: number;
  /** The raw wait status. */
  status: number;
  /** Exit code if the process exited, else null. */
  code: number | null;
  /** Signal name ('SIGKILL') if the process was killed by a signal, else null. */
  signal: string | null;
}

/** An anonymous pipe: both ends O_CLOEXEC and blocking; `size` is its capacity in bytes. */
export interface PipeFds {
  read: number;
  write: number;
  size: number;
}

interface Addon {
  listenTcp(host: string, port: number, backlog: number, reuseport?: boolean): number;
  listenUnix(path: string, backlog: number, mode: number, uid: number, gid: number): number;
  relisten(fd: number, backlog: number): void;
  closeFd(fd: number): void;
  sockName(fd: number): SockName;
  peerCred(fd: number): PeerCred;
  getrlimit(resource: RlimitResource): Rlimit;
  setrlimit(resource: RlimitResource, soft: number, hard: number): void;
  getpwnam(name: string): PasswdEntry | null;
  getpwuid(uid: number): PasswdEntry | null;
  getgrnam(name: string): number | null;
  setChildSubreaper(): void;
  reapPid(pid: number): ReapResult | null;
  makePipe(): PipeFds;
  setPipeSize(fd: number, size: number): number;
  pipeInit(onRead: (this: object, n: number) => boolean | void): void;
  pipeOpen(fd: number, owner: object, buffer: Buffer): PipeHandle;
  pipeSetBuffer(pipe: PipeHandle, buffer: Buffer): void;
  pipeStart(pipe: PipeHandle): void;
  pipeStop(pipe: PipeHandle): void;
  pipeClose(pipe: PipeHandle): void;
  trimMemory?(): Promise<number>;
  dgramSocket?(): number;
  dgramSend?(fd: number, path: string, data: Buffer): string | null;
  listenQueue?(fd: number): ListenQueue | null;
  steerReuseport?(fd: number, indices: number[]): void;
  procUnits?(): ProcUnits;
  notifyOpen?(name: string, onMessage: NotifyListener): NotifyHandle;
  notifyClose?(socket: NotifyHandle): void;
  clearCloexec?(fd: number): void;
  dupFd?(fd: number): number;
  reexec?(path: string, argv: string[], env: string[]): never;
}

/** A datagram on the notify socket: its sender (SCM_CREDENTIALS) and its bytes (null: oversized). */
export type NotifyListener = (pid: number, uid: number, data: Buffer | null) => void;
declare const notifyBrand: unique symbol;
export type NotifyHandle = { readonly [notifyBrand]: true };

export { ADDON_PATH, NATIVE_BUILD_DIR, PACKAGE_ROOT, SHIM_PATH } from './locate.js';
export { SHIM_SOCKET_FD, shimArgs, type ShimSpec } from './shim.js';

let addon: Addon | undefined;

function native(): Addon {
  if (addon) return addon;
  if (!existsSync(ADDON_PATH) || !existsSync(SHIM_PATH)) {
    const complaint = buildOnce();
    if (!existsSync(ADDON_PATH)) throw notBuilt(`addon (${ADDON_PATH})`, complaint ? new Error(complaint) : undefined);
  }
  try {
    addon = createRequire(import.meta.url)(ADDON_PATH) as Addon;
  } catch (err) {
    throw notBuilt(`addon (${ADDON_PATH})`, err);
  }
  return addon;
}

/** Loads the addon and checks the shim now, so that a daemon fails at startup rather than at the first spawn. */
export function ensureNative(): void {
  native();
  if (!existsSync(SHIM_PATH)) {
    const complaint = buildOnce();
    if (!existsSync(SHIM_PATH)) throw notBuilt(`exec shim (${SHIM_PATH})`, complaint ? new Error(complaint) : undefined);
  }
}

/* ------------------------------------------------------------------ sockets */

/**
 * A listening TCP socket: SOCK_CLOEXEC, blocking, SO_REUSEADDR (IPV6_V6ONLY for IPv6), never
 * polled by libuv. `host` is a numeric IPv4 or IPv6 literal without brackets ('' or '*' = 0.0.0.0);
 * port 0 binds an ephemeral port (read it back with socketPort). Returns the fd.
 */
export function listenTcp(host: string, port: number, backlog: number, reuseport = false): number {
  return native().listenTcp(host, port, backlog, reuseport);
}

/**
 * Steer the SO_REUSEPORT group of `fd`: new connections go, at random, to the sockets at these
 * positions of the kernel's array of the group's sockets (tsv_reuseport.c).
 */
export function steerReuseport(fd: number, indices: number[]): void {
  const a = native();
  if (!a.steerReuseport) throw outOfDate('steerReuseport');
  a.steerReuseport(fd, indices);
}

/**
 * A listening Unix socket at `path`. A stale socket file at the path is unlinked first; any other
 * kind of file makes it throw EEXIST. Owner (uid/gid, -1 = unchanged) and mode are applied between
 * bind and listen. Remove the path yourself (fs.unlinkSync) when the socket is retired.
 */
export function listenUnix(path: string, backlog: number, mode: number, uid = -1, gid = -1): number {
  return native().listenUnix(path, backlog, mode, uid, gid);
}

/** listen() again on a listening socket: changes its backlog in place. */
export function relisten(fd: number, backlog: number): void {
  native().relisten(fd, backlog);
}

export function closeFd(fd: number): void {
  native().closeFd(fd);
}

/** getsockname() of a socket fd. */
export function sockName(fd: number): SockName {
  return native().sockName(fd);
}

/** The bound port of a TCP socket fd (useful after binding port 0). */
export function socketPort(fd: number): number {
  const n = sockName(fd);
  if (n.family !== 'IPv4' && n.family !== 'IPv6') throw new Error(`fd ${fd} is not a TCP socket`);
  return n.port;
}

/** The fd under a connected net.Socket (its libuv handle's fd), or -1. */
export function socketFd(sock: Socket): number {
  const fd = (sock as unknown as { _handle?: { fd?: number } })._handle?.fd;
  return typeof fd === 'number' ? fd : -1;
}

/** SO_PEERCRED of a connected Unix socket: a net.Socket (e.g. from the control server) or an fd. */
export function peerCred(sock: Socket | number): PeerCred {
  const fd = typeof sock === 'number' ? sock : socketFd(sock);
  if (fd < 0) {
    const err = new Error('peerCred: the socket has no file descriptor (closed or not connected)') as NativeError;
    err.code = 'EBADF';
    err.errno = -9;
    err.syscall = 'getsockopt(SO_PEERCRED)';
    throw err;
  }
  return native().peerCred(fd);
}

/* ------------------------------------------------------------------ limits, users */

export function getrlimit(resource: RlimitResource): Rlimit {
  return native().getrlimit(resource);
}

/** Infinity = unlimited. Raising the hard limit needs root (EPERM otherwise). */
export function setrlimit(resource: RlimitResource, soft: number, hard: number): void {
  native().setrlimit(resource, soft, hard);
}

export function getpwnam(name: string): PasswdEntry | null {
  return native().getpwnam(name);
}

export function getpwuid(uid: number): PasswdEntry | null {
  return native().getpwuid(uid);
}

/** The gid of a group name, or null. */
export function getgrnam(name: string): number | null {
  return native().getgrnam(name);
}

/* ------------------------------------------------------------------ processes */

/** prctl(PR_SET_CHILD_SUBREAPER): orphans of our descendants are reparented to us (reap them with reapPid). */
export function setChildSubreaper(): void {
  native().setChildSubreaper();
}

/**
 * waitpid(pid, WNOHANG): the exit of an adopted orphan, or null while it runs. Throws ECHILD if
 * `pid` is not our child. Never use it on a child spawned by child_process (or with pid -1):
 * that would steal libuv's exit event.
 */
export function reapPid(pid: number): ReapResult | null {
  return native().reapPid(pid);
}

/* ------------------------------------------------------------------ pipes */

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

/* ------------------------------------------------------------------ pipe reading (tsv_pipe.c) */

/** An open pipe reader: libuv reads the fd into its owner's buffer (see PipeSource). */
export type PipeHandle = { readonly __pipeHandle: unique symbol };

/** The owner of a pipe reader: told of every read (n > 0 bytes, or a negative libuv error code). */
export interface PipeOwner {
  /** Returns false to stop reading until pipeStart. */
  pipeRead(n: number): boolean;
}

let pipeInitialized = false;

function pipeRead(this: PipeOwner, n: number): boolean {
  return this.pipeRead(n);
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

export function pipeStop(pipe: PipeHandle): void {
  native().pipeStop(pipe);
}

export function pipeClose(pipe: PipeHandle): void {
  native().pipeClose(pipe);
}

/** libuv's end-of-file code, as pipeRead receives it. */
export const UV_EOF = -4095;

/**
 * Give start-up-only memory back to the kernel (tsv_memory.c): MADV_PAGEOUT on the read-only file
 * mappings (the node binary's start-up code and data), then malloc_trim. Off the main thread;
 * resolves to the bytes of mappings advised. An out-of-date addon without it resolves to 0.
 */
export function trimMemory(): Promise<number> {
  const a = native();
  return a.trimMemory ? a.trimMemory() : Promise.resolve(0);
}

/* ------------------------------------------------------------------ metrics (tsv_queue.c) */

/** A listening socket's accept queue: connections waiting, and the backlog they wait in. */
export interface ListenQueue {
  queued: number;
  backlog: number;
}

/** The units of /proc/<pid>/stat: clock ticks per second (utime, stime) and the page size (rss). */
export interface ProcUnits {
  clockTicks: number;
  pageSize: number;
}

/**
 * The accept queue of a listening fd: TCP_INFO for TCP, sock_diag (UDIAG_SHOW_RQLEN) for a unix
 * socket; null for anything else or when the kernel does not say.
 */
export function listenQueue(fd: number): ListenQueue | null {
  const a = native();
  if (!a.listenQueue) throw outOfDate('listenQueue');
  return a.listenQueue(fd);
}

export function procUnits(): ProcUnits {
  const a = native();
  if (!a.procUnits) throw outOfDate('procUnits');
  return a.procUnits();
}

/* ------------------------------------------------------------------ unix datagrams (syslog) */

/** An addon built before these functions existed (a stale native/build) does not have them. */
function outOfDate(fn: string): Error {
  const err = new Error(
    `tsupervisord: the native addon (${ADDON_PATH}) has no ${fn}: it is older than its source; ` +
      `run \`node packages/daemon/native/build.mjs\``,
  ) as NativeError;
  err.code = 'ERR_TSV_NATIVE_OUT_OF_DATE';
  return err;
}

/** An unbound AF_UNIX SOCK_DGRAM socket, non-blocking and close-on-exec (libuv never sees it). */
export function dgramSocket(): number {
  const a = native();
  if (!a.dgramSocket) throw outOfDate('dgramSocket');
  return a.dgramSocket();
}

/**
 * sendto(fd, data, path) with MSG_DONTWAIT: never blocks. Returns null when the datagram went,
 * else the errno name ('ENOENT', 'ECONNREFUSED', 'EAGAIN' when the receiver's queue is full,
 * 'EMSGSIZE', 'ENAMETOOLONG' …); the datagram is then not sent.
 */
export function dgramSend(fd: number, path: string, data: Buffer): string | null {
  const a = native();
  if (!a.dgramSend) throw outOfDate('dgramSend');
  return a.dgramSend(fd, path, data);
}

/**
 * The sd_notify receiver (native/tsv_notify.c): an abstract unix datagram socket "\0name" with
 * SO_PASSCRED; `onMessage(pid, uid, data)` for each datagram. Never keeps the loop alive.
 */
export function notifyOpen(name: string, onMessage: NotifyListener): NotifyHandle {
  const a = native();
  if (!a.notifyOpen) throw outOfDate('notifyOpen');
  return a.notifyOpen(name, onMessage);
}

export function notifyClose(socket: NotifyHandle): void {
  native().notifyClose?.(socket);
}

/* ------------------------------------------------------------------ reexec */

/** Keep `fd` open across the next execve (native/tsv_reexec.c). */
export function clearCloexec(fd: number): void {
  const a = native();
  if (!a.clearCloexec) throw outOfDate('clearCloexec');
  a.clearCloexec(fd);
}

/** A second fd (O_CLOEXEC) on the same open file (a listening socket kept for the next image). */
export function dupFd(fd: number): number {
  const a = native();
  if (!a.dupFd) throw outOfDate('dupFd');
  return a.dupFd(fd);
}

/** execve(path, argv, env) with an empty signal mask; returns only by throwing. */
export function reexecImage(path: string, argv: string[], env: string[]): never {
  const a = native();
  if (!a.reexec) throw outOfDate('reexec');
  return a.reexec(path, argv, env);
}

/**
 * The addon itself (native/build/tsv_native.node): the shapes of what it takes and returns, and
 * its loader. Loaded lazily on the first call, so importing never fails. If the build is missing
 * (pnpm 12 skips install scripts on an up-to-date tree) the first call builds it once; if that
 * fails too, it throws an Error with code 'ERR_TSV_NATIVE_NOT_BUILT' ("run pnpm install").
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
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

/** An open pipe reader: libuv reads the fd into its owner's buffer (see PipeSource). */
export type PipeHandle = { readonly __pipeHandle: unique symbol };

/**
 * The owner of a pipe reader: told of every read (n > 0 bytes, or a negative libuv error code),
 * and, while splicing (pipeSplice), of the bytes each wake-up moved (`spliced` true; `drained`:
 * the pipe was emptied; `ms`: how long the splices took, or with an error the bytes lost).
 */
export interface PipeOwner {
  /** Returns false to stop reading until pipeStart. */
  pipeRead(n: number, spliced?: boolean, drained?: boolean, ms?: number): boolean;
}

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

export interface Addon {
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
  pipeInit(onRead: (this: object, n: number, spliced?: boolean, drained?: boolean, ms?: number) => boolean | void): void;
  pipeOpen(fd: number, owner: object, buffer: Buffer): PipeHandle;
  pipeSetBuffer(pipe: PipeHandle, buffer: Buffer): void;
  pipeStart(pipe: PipeHandle): void;
  /** These three return the bytes a stopped copier thread moved that the owner has not heard of. */
  pipeStop(pipe: PipeHandle): number;
  pipeClose(pipe: PipeHandle): number;
  pipeGoOnNewline?(pipe: PipeHandle, fd: number): void;
  pipeGoCancel?(pipe: PipeHandle): boolean;
  pipeSplice(pipe: PipeHandle, fd: number, limit: number, flooding?: boolean): number;
  setFdAppend(fd: number, on: boolean): void;
  trimMemory?(): Promise<number>;
  dgramSocket?(): number;
  dgramSend?(fd: number, path: string, data: Buffer): string | null;
  listenQueue?(fd: number): ListenQueue | null;
  steerReuseport?(fd: number, indices: number[]): void;
  procUnits?(): ProcUnits;
  notifyOpen?(name: string, onMessage: NotifyListener): NotifyHandle;
  notifyClose?(socket: NotifyHandle): void;
  notifyGoOnReady?(socket: NotifyHandle, pid: number, fd: number): number;
  notifyGoCancel?(socket: NotifyHandle, id: number): boolean;
  notifyGoDisable?(socket: NotifyHandle, pid: number): void;
  clearCloexec?(fd: number): void;
  dupFd?(fd: number): number;
  reexec?(path: string, argv: string[], env: string[]): never;
  spawnProcess?(file: string, argv: string[], env: string[], stdio: number[]): number;
  spawnDirect?(file: string, argv: string[], env: string[], stdio: number[], steps: [number, number, number, number, string] | [number, number, number, number, string, boolean]): number;
  peekChild?(): number;
  spawnSettle?(): number;
  spawnUnexeced?(): number;
  countFds?(): number;
  growFdTable?(size: number): Promise<number>;
}

/** A datagram on the notify socket: its sender (SCM_CREDENTIALS) and its bytes (null: oversized). */
export type NotifyListener = (pid: number, uid: number, data: Buffer | null) => void;
declare const notifyBrand: unique symbol;
export type NotifyHandle = { readonly [notifyBrand]: true };

let addon: Addon | undefined;

export function native(): Addon {
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



/** An addon built before these functions existed (a stale native/build) does not have them. */
export function outOfDate(fn: string): Error {
  const err = new Error(
    `tsupervisord: the native addon (${ADDON_PATH}) has no ${fn}: it is older than its source; ` +
      `run \`node packages/daemon/native/build.mjs\``,
  ) as NativeError;
  err.code = 'ERR_TSV_NATIVE_OUT_OF_DATE';
  return err;
}


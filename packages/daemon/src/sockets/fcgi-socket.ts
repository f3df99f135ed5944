/**
 * What a group sees of its fcgi socket(s), whichever kind owns them: one shared socket
 * (listening-socket.ts, supervisor's model) or a socket_drain pool of per-worker sockets
 * (drain-pool.ts). `socket-owner.ts` creates, shares, re-binds and closes them.
 */
import type { FcgiSocketConfig } from '../config/types.js';

/** How a drain ended: nothing held, `timeoutMs` passed, or the worker was gone first. */
export type DrainEnd = 'idle' | 'timeout' | 'gone';

/** The worker as the socket knows it: an identity, a name for the log, its namespec (reexec). */
export interface SocketHolder {
  readonly name: string;
  readonly namespec: string;
}

/**
 * reexec: one listening fd handed to the next image. `holder` only for a socket_drain pool's
 * sockets (in the kernel's SO_REUSEPORT order): the namespec of the worker accepting on it, or
 * null for a free one.
 */
export interface HandedFd {
  fd: number;
  holder?: string | null;
}

export interface FcgiSocket {
  readonly config: FcgiSocketConfig;
  readonly url: string;
  readonly isOpen: boolean;
  /** The fds whose accept queues /metrics reads (every listener of the address). */
  listenerFds(): number[];
  /** Bind and listen (throws an Error naming the address). */
  open(): void;
  /** Apply a changed backlog, mode or owner in place (same address). */
  update(next: FcgiSocketConfig): void;
  close(): void;
  /** The fd a worker about to be spawned gets (its own, or the shared one). */
  take(holder: SocketHolder): number;
  /** The worker is gone (exited, spawn failed): what it held is free. */
  release(holder: SocketHolder): void;
  /**
   * Before the stop signal: steer new connections away from `holder` and resolve once it holds
   * none (or after `timeoutMs`). null when this socket cannot drain (shared socket).
   */
  drain(holder: SocketHolder, pid: number, timeoutMs: number): Promise<DrainEnd> | null;
  /** reexec: the fds to keep across the exec, or why not now (a drain under way). */
  handOver(): HandedFd[] | string;
  /** reexec, in the new image: give each adopted socket back to its worker (by namespec). */
  adoptHolders(find: (namespec: string) => SocketHolder | null): void;
}

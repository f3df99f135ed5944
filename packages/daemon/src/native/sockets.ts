/**
 * Listening sockets that libuv never polls (the fcgi and socket_drain workers accept on them),
 * their addresses and accept queues, and SO_PEERCRED of a control connection (tsv_sockets.c,
 * tsv_reuseport.c, tsv_queue.c).
 */
import type { Socket } from 'node:net';
import { native, outOfDate, type ListenQueue, type NativeError, type PeerCred, type SockName } from './addon.js';

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

/** closeFd, where an fd already closed (EBADF) is no error: cleanup paths. */
export function closeFdQuietly(fd: number): void {
  try {
    closeFd(fd);
  } catch {
    // EBADF: already closed
  }
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

/**
 * The accept queue of a listening fd: TCP_INFO for TCP, sock_diag (UDIAG_SHOW_RQLEN) for a unix
 * socket; null for anything else or when the kernel does not say.
 */
export function listenQueue(fd: number): ListenQueue | null {
  const a = native();
  if (!a.listenQueue) throw outOfDate('listenQueue');
  return a.listenQueue(fd);
}

/**
 * Unix datagrams, which Node has no sockets for: sending syslog lines to /dev/log and receiving
 * sd_notify messages with their sender's credentials (tsv_native.c, tsv_notify.c).
 */
import { native, outOfDate, type NotifyHandle, type NotifyListener } from './addon.js';

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

/**
 * When a datagram from exactly `pid` says READY=1 (as parseNotify would read it), the native
 * reader writes one byte to its own copy of `fd` before `onMessage` runs: an armed dependent's
 * gate (process/armed-spawn.ts) let go with no JS on the way. Returns the registration's id.
 */
export function notifyGoOnReady(socket: NotifyHandle, pid: number, fd: number): number {
  const a = native();
  if (!a.notifyGoOnReady) throw outOfDate('notifyGoOnReady');
  return a.notifyGoOnReady(socket, pid, fd);
}

/** Forgets registration `id` (closing its copy of the fd); whether it had fired. */
export function notifyGoCancel(socket: NotifyHandle, id: number): boolean {
  return native().notifyGoCancel?.(socket, id) ?? false;
}

/** The registrations for `pid` that have not fired never will (kept for their cancel). */
export function notifyGoDisable(socket: NotifyHandle, pid: number): void {
  native().notifyGoDisable?.(socket, pid);
}

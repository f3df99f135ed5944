/**
 * The one owner of the fcgi sockets' lifetime (supervisor's socket_manager.py is the model): one
 * socket (or socket_drain pool) per address, created when a group first needs it, shared by every
 * group configured with that address, kept across `update`, `reload` and the workers' restarts
 * while the address is unchanged, and closed once no group holds it. A new address is bound
 * before the old one is closed (update re-binds a group's workers onto it in between).
 */
import type { FcgiSocketConfig, GroupConfig } from '../config/types.js';
import { DrainPool, type PoolLog } from './drain-pool.js';
import type { FcgiSocket, HandedFd, SocketHolder } from './fcgi-socket.js';
import { ListeningSocket } from './listening-socket.js';

export type OwnerLog = (level: 'error' | 'warn' | 'info', message: string) => void;

export class SocketOwner {
  private readonly byUrl = new Map<string, FcgiSocket>();

  constructor(private readonly log: OwnerLog) {}

  /**
   * The socket for a group's config: the open one at that URL (backlog, mode and owner updated in
   * place), else a new one. A bind error is logged here and becomes each worker's spawn error
   * (the group goes FATAL naming the address; other groups run on).
   */
  forGroup(gc: GroupConfig): FcgiSocket | null {
    if (!gc.socket) return null;
    let socket = this.byUrl.get(gc.socket.address.url) ?? null;
    if (socket) {
      if (socket.config.drain !== gc.socket.drain) {
        this.log('warn', `${gc.name}: socket_drain=${gc.socket.drain} applies once ${socket.url} is closed and bound again (remove and add the group)`);
      }
      socket.update({ ...gc.socket, drain: socket.config.drain });
    } else {
      socket = gc.socket.drain ? new DrainPool(gc.socket, this.poolLog) : new ListeningSocket(gc.socket);
      this.byUrl.set(socket.url, socket);
    }
    try {
      socket.open();
    } catch (err) {
      this.log('error', `${gc.name}: cannot listen on ${socket.url}: ${(err as Error).message}`);
    }
    return socket;
  }

  private readonly poolLog: PoolLog = (level, message) => this.log(level, message);

  /**
   * reexec: the socket (or socket_drain pool, its fds carrying their holders) the previous image
   * listened on at `config`'s address, kept by fd, of the kind it was (before any group asks).
   */
  adopt(config: FcgiSocketConfig, fds: readonly HandedFd[]): void {
    const drain = fds.some((f) => f.holder !== undefined);
    let socket: FcgiSocket;
    if (drain) {
      socket = DrainPool.adopted({ ...config, drain }, this.poolLog, fds);
    } else {
      const one = new ListeningSocket({ ...config, drain });
      one.adopt(fds[0]!.fd);
      socket = one;
    }
    this.byUrl.set(socket.url, socket);
  }

  /** reexec, once the groups are built: each adopted pool socket goes back to its worker. */
  adoptHolders(find: (namespec: string) => SocketHolder | null): void {
    for (const socket of this.byUrl.values()) socket.adoptHolders(find);
  }

  /** The open sockets (reexec hands their fds to the next image). */
  openSockets(): FcgiSocket[] {
    return [...this.byUrl.values()].filter((s) => s.isOpen);
  }

  /** Close every socket none of `inUse` is (after a group left, an update, a reload, shutdown). */
  closeUnused(inUse: Iterable<FcgiSocket | null>): void {
    const held = new Set(inUse);
    for (const [url, socket] of this.byUrl) {
      if (held.has(socket)) continue;
      socket.close();
      this.byUrl.delete(url);
    }
  }
}

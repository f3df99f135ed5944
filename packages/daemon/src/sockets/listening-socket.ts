/**
 * One listening socket of an fcgi-program, created by the native layer (blocking, CLOEXEC, never
 * polled by libuv: the daemon never accepts on it). Without socket_drain it is the group's one
 * shared socket (supervisor's model: every worker gets it); it lives until no group uses its
 * address (socket-owner.ts), across stops and restarts of the workers, so connections wait in the
 * backlog instead of being refused. With socket_drain, drain-pool.ts holds one per worker
 * (`reuseport`).
 */
import { chmodSync, chownSync, lstatSync, unlinkSync } from 'node:fs';
import type { FcgiSocketConfig } from '../config/types.js';
import { closeFd, listenTcp, listenUnix, relisten } from '../native/index.js';
import type { DrainEnd, FcgiSocket, HandedFd } from './fcgi-socket.js';
import { numericHost } from './resolve-host.js';
import { withRootHint } from './needs-root.js';

export class ListeningSocket implements FcgiSocket {
  private fdValue: number | null = null;

  constructor(
    public config: FcgiSocketConfig,
    private readonly reuseport = false,
  ) {}

  listenerFds(): number[] {
    return this.fdValue === null ? [] : [this.fdValue];
  }

  /** Shared: every worker gets the same socket. */
  take(): number {
    this.open();
    return this.fd;
  }

  release(): void {}

  /** A shared socket cannot keep connections from one worker: no drain. */
  drain(): Promise<DrainEnd> | null {
    return null;
  }

  get url(): string {
    return this.config.address.url;
  }

  get fd(): number {
    if (this.fdValue === null) throw new Error(`socket ${this.url} is not open`);
    return this.fdValue;
  }

  get isOpen(): boolean {
    return this.fdValue !== null;
  }

  /** Bind and listen. Throws an Error naming the address (EADDRINUSE, EACCES …). */
  open(): void {
    if (this.fdValue !== null) return;
    const { address, backlog } = this.config;
    try {
      if (address.kind === 'tcp') {
        this.fdValue = listenTcp(numericHost(address.host), address.port, backlog, this.reuseport);
      } else {
        const { uid, gid } = this.owner();
        this.fdValue = listenUnix(address.path, backlog, this.config.mode, uid, gid);
      }
    } catch (err) {
      throw withRootHint(err as Error, address.kind === 'tcp' ? { port: address.port } : { owner: this.config.owner !== null });
    }
  }

  /** reexec: take over the listening fd the previous image opened (same socket, same inode). */
  adopt(fd: number): void {
    if (this.fdValue !== null) throw new Error(`socket ${this.url} is already open`);
    this.fdValue = fd;
  }

  handOver(): HandedFd[] {
    return this.fdValue === null ? [] : [{ fd: this.fdValue }];
  }

  /** Shared: no worker holds it alone. */
  adoptHolders(): void {}

  /** Apply a changed backlog, mode or owner to the live socket (same address). */
  update(next: FcgiSocketConfig): void {
    const prev = this.config;
    this.config = next;
    if (this.fdValue === null) return;
    if (next.backlog !== prev.backlog) relisten(this.fdValue, next.backlog);
    if (next.address.kind === 'unix' && (next.mode !== prev.mode || JSON.stringify(next.owner) !== JSON.stringify(prev.owner))) {
      const { uid, gid } = this.owner();
      applyUnixOwnership(next.address.path, next.mode, uid, gid);
    }
  }

  close(): void {
    if (this.fdValue === null) return;
    closeFd(this.fdValue);
    this.fdValue = null;
    if (this.config.address.kind === 'unix') {
      try {
        if (lstatSync(this.config.address.path).isSocket()) unlinkSync(this.config.address.path);
      } catch {
        /* already gone */
      }
    }
  }

  /** socket_owner (the config fills in supervisor's default from `user=`); -1 = unchanged. */
  private owner(): { uid: number; gid: number } {
    const owner = this.config.owner;
    return owner ? { uid: owner.uid, gid: owner.gid } : { uid: -1, gid: -1 };
  }
}

function applyUnixOwnership(path: string, mode: number, uid: number, gid: number): void {
  if (uid >= 0 || gid >= 0) chownSync(path, uid, gid);
  chmodSync(path, mode);
}

/**
 * A socket_drain pool: the sockets of one TCP address, one per live worker plus a spare, all
 * bound with SO_REUSEPORT and owned by the daemon for their whole life. The kernel's choice of
 * socket for each new connection is steered (tsv_reuseport.c) to the workers that serve
 * (steering.ts), so a worker about to be stopped gets no new connection: it is signalled once its
 * own accept queue is empty and it holds no accepted connection (held-connections.ts), or when
 * the drain times out (then the log says so). While no worker serves, connections wait in the
 * spare's queue and the next worker spawned takes that socket.
 *
 * reexec hands every socket to the next image in the kernel's order with the namespec of its
 * worker (`handOver`), and the new image gives each back to the same worker (`adopted`, then
 * `adoptHolders`): the kernel's group and its steering program live on in between.
 *
 * `slots` mirrors the kernel's SO_REUSEPORT array: in listen() order, a closed socket replaced
 * by the last one (steering.ts `withoutSlot`). Only empty, free sockets are ever closed before
 * the pool itself, so no waiting connection is reset.
 */
import type { FcgiSocketConfig } from '../config/types.js';
import { listenQueue, steerReuseport } from '../native/index.js';
import type { DrainEnd, FcgiSocket, HandedFd, SocketHolder } from './fcgi-socket.js';
import { heldConnections } from './held-connections.js';
import { ListeningSocket } from './listening-socket.js';
import { slotForSpawn, steerTargets, surplusSlots, withoutSlot, type SlotView } from './steering.js';

/** How often a draining worker is looked at. */
const DRAIN_POLL_MS = 20;
/** Idle at this many looks in a row (a handshake completing just after the steering changed). */
const IDLE_LOOKS = 2;

interface Slot {
  socket: ListeningSocket;
  holder: SocketHolder | null;
  draining: boolean;
  /** reexec: the namespec of the worker that held it in the previous image, until adoptHolders. */
  adopted?: string;
}

export type PoolLog = (level: 'info' | 'warn', message: string) => void;

export class DrainPool implements FcgiSocket {
  private slots: Slot[] = [];
  /** The targets last given to the kernel ('' = none yet, or the array changed). */
  private steered = '';
  /** The kernel refused the steering program (ENOPROTOOPT before Linux 4.5): said once. */
  private steeringBroken = false;

  constructor(
    public config: FcgiSocketConfig,
    private readonly log: PoolLog,
  ) {}

  /** reexec: the pool the previous image handed over (`handOver`), its sockets in the same order. */
  static adopted(config: FcgiSocketConfig, log: PoolLog, fds: readonly HandedFd[]): DrainPool {
    const pool = new DrainPool(config, log);
    for (const { fd, holder } of fds) {
      const socket = new ListeningSocket(config, true);
      socket.adopt(fd);
      pool.slots.push({ socket, holder: null, draining: false, adopted: holder ?? undefined });
    }
    return pool;
  }

  get url(): string {
    return this.config.address.url;
  }

  get isOpen(): boolean {
    return this.slots.length > 0;
  }

  listenerFds(): number[] {
    return this.slots.map((s) => s.socket.fd);
  }

  /**
   * The first socket is steered to itself at once: a kernel that refuses the program (before
   * Linux 4.5) is known before any second socket exists, and the pool stays one shared socket
   * (supervisor's model, `take` below), so no connection lands in a socket nobody accepts on.
   */
  open(): void {
    if (this.slots.length > 0) return;
    this.addSlot();
    this.steer();
  }

  update(next: FcgiSocketConfig): void {
    this.config = next;
    for (const s of this.slots) s.socket.update(next);
  }

  close(): void {
    for (const s of this.slots) s.socket.close();
    this.slots = [];
    this.steered = '';
  }

  take(holder: SocketHolder): number {
    this.open();
    if (this.steeringBroken) return this.slots[0]!.socket.fd;
    const own = this.slots.find((s) => s.holder === holder);
    if (own) return own.socket.fd;
    const slot = this.slots[slotForSpawn(this.views()) ?? this.slots.indexOf(this.addSlot())]!;
    slot.holder = holder;
    slot.draining = false;
    // a spare is always there for connections to wait in while every worker drains
    if (!this.slots.some((s) => s.holder === null)) this.addSlot();
    this.steer();
    return slot.socket.fd;
  }

  release(holder: SocketHolder): void {
    const slot = this.slots.find((s) => s.holder === holder);
    if (!slot) return;
    slot.holder = null;
    slot.draining = false;
    this.trim();
    this.steer();
  }

  drain(holder: SocketHolder, pid: number, timeoutMs: number): Promise<DrainEnd> | null {
    const slot = this.slots.find((s) => s.holder === holder);
    if (!slot || this.steeringBroken || this.config.address.kind !== 'tcp') return null;
    slot.draining = true;
    this.steer();
    const port = this.config.address.port;
    const deadline = Date.now() + timeoutMs;
    let idle = 0;
    return new Promise((resolve) => {
      const look = () => {
        if (slot.holder !== holder) return resolve('gone');
        const held = heldConnections(pid, port);
        if (held === null) return resolve('gone');
        const queued = slot.socket.isOpen ? listenQueue(slot.socket.fd)?.queued ?? 0 : 0;
        idle = queued === 0 && held === 0 ? idle + 1 : 0;
        if (idle >= IDLE_LOOKS) return resolve('idle');
        if (Date.now() >= deadline) {
          this.log('warn', `${holder.name} still holds ${held} connection(s) and ${queued} queued on ${this.url} after ${timeoutMs / 1000} s of socket_drain; stopping it anyway`);
          return resolve('timeout');
        }
        setTimeout(look, DRAIN_POLL_MS);
      };
      look();
    });
  }

  handOver(): HandedFd[] | string {
    const draining = this.slots.filter((s) => s.draining && s.holder);
    if (draining.length) return `${draining.map((s) => s.holder!.name).join(', ')} still draining on ${this.url}: retry once stopped`;
    return this.slots.map((s) => ({ fd: s.socket.fd, holder: s.holder?.namespec ?? s.adopted ?? null }));
  }

  adoptHolders(find: (namespec: string) => SocketHolder | null): void {
    for (const slot of this.slots) {
      if (slot.adopted === undefined) continue;
      slot.holder = find(slot.adopted);
      slot.adopted = undefined;
    }
    this.steered = '';
    this.trim();
    this.steer();
  }

  private addSlot(): Slot {
    const socket = new ListeningSocket(this.config, true);
    socket.open();
    const slot: Slot = { socket, holder: null, draining: false };
    this.slots.push(slot);
    return slot;
  }

  private views(): SlotView[] {
    return this.slots.map((s) => ({
      holder: s.holder === null && s.adopted === undefined ? null : s.draining ? 'draining' : 'serving',
      queued: listenQueue(s.socket.fd)?.queued ?? 0,
    }));
  }

  /** Close the free, empty sockets beyond the spare (numprocs went down). */
  private trim(): void {
    for (const i of surplusSlots(this.views())) {
      this.slots[i]!.socket.close();
      this.slots = withoutSlot(this.slots, i);
      this.steered = '';
    }
  }

  private steer(): void {
    if (this.slots.length === 0 || this.steeringBroken) return;
    const targets = steerTargets(this.views());
    const key = targets.join(',');
    if (key === this.steered || targets.length === 0) return;
    try {
      steerReuseport(this.slots[0]!.socket.fd, targets);
      this.steered = key;
    } catch (err) {
      this.steeringBroken = true;
      this.log('warn', `${this.url}: cannot steer connections (${(err as Error).message}); socket_drain is off for it: workers are signalled at once${this.slots.length === 1 ? ' and share one socket' : ''}`);
    }
  }
}

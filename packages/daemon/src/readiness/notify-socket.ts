/**
 * ready=notify: the daemon's one sd_notify socket (abstract unix datagram, native/tsv_notify.c),
 * opened at the first use and shared by every process. A child gets NOTIFY_SOCKET=@name; a
 * datagram counts for process P only when its sender (SCM_CREDENTIALS, set by the kernel) is P
 * or one of P's descendants (the ppid chain in /proc/<pid>/stat). Anything else (another pid or
 * uid, oversized, garbage) is dropped and logged once per sender.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Logger } from '../logger.js';
import { notifyGoCancel, notifyGoDisable, notifyGoOnReady, notifyOpen, type NotifyHandle } from '../native/index.js';
import { parseNotify, type NotifyMessage } from './notify-message.js';

type Handler = (msg: NotifyMessage | null, senderPid: number) => void;

/** How far up the ppid chain a sender may be from the process. */
const MAX_DEPTH = 32;
/** Senders remembered as already logged (then forgotten all at once). */
const MAX_LOGGED = 1024;

/** The parent pid of `pid` (0 when it is gone or unreadable). */
export function parentPid(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const after = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(after[1]) || 0;
  } catch {
    return 0;
  }
}

class NotifySocket {
  readonly address: string;
  private readonly handlers = new Map<number, Handler>();
  private readonly logged = new Set<string>();
  /** Held for the daemon's life: a collected handle closes the socket. */
  private readonly handle: NotifyHandle;

  constructor(private readonly logger: Logger) {
    const name = `tsupervisord-notify-${process.pid}-${randomBytes(6).toString('hex')}`;
    this.handle = notifyOpen(name, (pid, uid, data) => this.received(pid, uid, data));
    this.address = `@${name}`;
  }

  register(pid: number, handler: Handler): () => void {
    this.handlers.set(pid, handler);
    return () => {
      if (this.handlers.get(pid) === handler) this.handlers.delete(pid);
    };
  }

  /** One byte to `fd` from the native reader at a READY=1 from exactly `pid` (notifyGoOnReady); its id. */
  goOnReady(pid: number, fd: number): number {
    return notifyGoOnReady(this.handle, pid, fd);
  }

  /** Forgets `id`; whether it had fired. */
  goCancel(id: number): boolean {
    return notifyGoCancel(this.handle, id);
  }

  /** Those of `pid` that have not fired never will. */
  goDisable(pid: number): void {
    notifyGoDisable(this.handle, pid);
  }

  private owner(sender: number): Handler | undefined {
    let pid = sender;
    for (let depth = 0; depth < MAX_DEPTH && pid > 1; depth++) {
      const h = this.handlers.get(pid);
      if (h) return h;
      pid = parentPid(pid);
    }
    return undefined;
  }

  private received(pid: number, uid: number, data: Buffer | null): void {
    const handler = pid > 0 ? this.owner(pid) : undefined;
    if (!handler) return this.drop(`pid ${pid} uid ${uid}`, 'not a supervised process or its descendant');
    if (data === null) return this.drop(`pid ${pid} oversized`, 'oversized datagram');
    const msg = parseNotify(data);
    if (!msg) return this.drop(`pid ${pid} garbage`, 'not an sd_notify message');
    handler(msg, pid);
  }

  private drop(key: string, why: string): void {
    if (this.logged.has(key)) return;
    if (this.logged.size >= MAX_LOGGED) this.logged.clear();
    this.logged.add(key);
    this.logger.log('warn', `notify socket: dropped a datagram from ${key.replace(/ (oversized|garbage)$/, '')}: ${why}`);
  }
}

let shared: NotifySocket | null = null;

/** The daemon's notify socket (opened at the first call). */
export function notifySocket(logger: Logger): NotifySocket {
  shared ??= new NotifySocket(logger);
  return shared;
}

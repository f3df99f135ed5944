/**
 * tsupervisord under systemd (`Type=notify`, issue 16): when its own environment has
 * NOTIFY_SOCKET, the daemon tells systemd READY=1 once every autostart process is ready (or
 * has settled for good: FATAL, exited and not restarted, left STOPPED by a failed dependency,
 * named in STATUS=), STOPPING=1 at shutdown, and RELOADING=1 … READY=1 around a reload. The
 * socket is never passed on to a child (process/environment.ts). Event-driven: the verdict is
 * taken again at each process state change until READY=1 went, then no more.
 */
import type { Logger } from '../logger.js';
import { dgramSend, dgramSocket } from '../native/index.js';
import { isReady } from '../process/dependencies.js';
import type { Subprocess } from '../process/subprocess.js';

/** What a process says of the daemon's readiness: ready, settled without being ready, or not yet. */
export type StartupVerdict = 'ready' | 'settled' | 'pending';

/** One autostart process, from its state (pure). */
export function startupVerdict(p: Pick<Subprocess, 'snapshot' | 'gateNote'>): StartupVerdict {
  const st = p.snapshot;
  if (isReady(st)) return 'ready';
  switch (st.state) {
    case 'FATAL':
    case 'UNKNOWN':
      return 'settled';
    case 'EXITED':
      return st.restartPending ? 'pending' : 'settled';
    case 'STOPPED':
      // held for its dependencies (before its first spawn), or about to be spawned
      return p.gateNote && 'waitingFor' in p.gateNote ? 'pending' : st.laststart === 0 && !p.gateNote ? 'pending' : 'settled';
    default:
      return 'pending';
  }
}

export interface ProcessSource {
  allByPriority(): Subprocess[];
  on(event: 'processState', listener: () => void): unknown;
}

export class SystemdNotifier {
  private fd = -1;
  private armed = false;
  private scheduled = false;

  constructor(
    private readonly address: string,
    private readonly source: ProcessSource,
    private readonly logger: Logger,
  ) {
    source.on('processState', () => this.review());
  }

  /** The daemon started its processes (or, after a reload, its new ones). */
  started(): void {
    this.armed = true;
    this.review();
  }

  reloading(): void {
    this.armed = false;
    this.send(`RELOADING=1\nMONOTONIC_USEC=${process.hrtime.bigint() / 1000n}`);
  }

  stopping(): void {
    this.armed = false;
    this.send('STOPPING=1');
  }

  /** After the listeners of this change (the start gate's spawns) had their turn. */
  private review(): void {
    if (!this.armed || this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (!this.armed) return;
      const autostart = this.source.allByPriority().filter((p) => p.config.autostart);
      const verdicts = autostart.map((p) => [p, startupVerdict(p)] as const);
      if (verdicts.some(([, v]) => v === 'pending')) return;
      this.armed = false;
      const failed = verdicts.filter(([, v]) => v === 'settled').map(([p]) => `${p.namespec} ${p.state}`);
      const status = failed.length ? `${autostart.length - failed.length} of ${autostart.length} programs ready; not ready: ${failed.join(', ')}` : `${autostart.length} programs ready`;
      this.send(`READY=1\nSTATUS=${status}`);
      this.logger.log('info', `told systemd READY=1: ${status}`);
    });
  }

  private send(message: string): void {
    try {
      if (this.fd < 0) this.fd = dgramSocket();
      const err = dgramSend(this.fd, this.address, Buffer.from(message));
      if (err) this.logger.log('warn', `cannot notify systemd at NOTIFY_SOCKET=${this.address}: ${err}`);
    } catch (err) {
      this.logger.log('warn', `cannot notify systemd at NOTIFY_SOCKET=${this.address}: ${(err as Error).message}`);
    }
  }
}

/** The notifier when the daemon runs under systemd's Type=notify (NOTIFY_SOCKET set), else null. */
export function systemdNotifier(env: NodeJS.ProcessEnv, source: ProcessSource, logger: Logger): SystemdNotifier | null {
  const address = env['NOTIFY_SOCKET'];
  if (!address || !(address.startsWith('/') || address.startsWith('@'))) return null;
  return new SystemdNotifier(address, source, logger);
}

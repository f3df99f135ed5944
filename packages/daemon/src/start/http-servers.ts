/**
 * Start-up step: open [unix_http_server] and [inet_http_server], each with the one call
 * pipeline's options (handlers, shutdown gate, audit trail, metrics), and keep them across
 * reloads (servers/server-slot.ts). Without either section supervisord runs all the same, with
 * no way in but signals. The inet server's module loads only when the section is there.
 */
import { unlinkSync } from 'node:fs';
import { auditPath } from '../calls/audit.js';
import type { Config, InetHttpServerConfig, UnixHttpServerConfig } from '../config/types.js';
import type { LogBus, MainLog } from '../logs/index.js';
import { noticingCalls } from '../memory.js';
import { createHandlers } from '../rpc/handlers.js';
import { startControlServer, type ControlServerOptions } from '../servers/control-server.js';
import { ServerSlot } from '../servers/server-slot.js';
import type { Supervision } from './build-supervisor.js';
import { closeFdQuietly } from '../native/index.js';
import { keptOf, type KeptFd, type ReexecState } from '../reexec/state.js';

/** What both servers call with: everything but their own section. */
export type CallOptions = Omit<ControlServerOptions, 'config'>;

/** What the daemon's own calls ask of the daemon (shutdown, reload). */
export interface DaemonRequests {
  requestShutdown(): void;
  requestRestart(): void;
  /** `reexec`: why not (nothing changed), or null once the exec is under way. */
  requestReexec(): Promise<string | null>;
}

export function callOptions(config: Config, { supervisor, metrics, events }: Supervision, logger: MainLog, bus: LogBus, requests: DaemonRequests): CallOptions {
  return {
    logger,
    accepting: () => supervisor.state === 'RUNNING',
    auditPath: auditPath(config.supervisord),
    metrics,
    handlers: noticingCalls(
      createHandlers({
        supervisor,
        mainLog: logger,
        requestShutdown: () => requests.requestShutdown(),
        requestRestart: () => requests.requestRestart(),
        requestReexec: () => requests.requestReexec(),
        followOutput: (name, channel, listener) => bus.subscribeRaw(name, channel, listener),
        recentEvents: (after) => events.recentAfter(after),
        metrics,
      }),
    ),
  };
}

export class HttpServers {
  private control: ServerSlot<UnixHttpServerConfig> | null = null;
  private inet: ServerSlot<InetHttpServerConfig> | null = null;

  constructor(private readonly logger: MainLog) {}

  /**
   * At start-up: a server that cannot open ends the start (its error is thrown). After a reexec,
   * the listening fds the previous image kept are served again when the section still names the
   * same file / port; one no longer wanted is closed (and its old socket file removed).
   */
  async open(config: Config, calls: CallOptions, reexec: ReexecState | null = null): Promise<void> {
    const logger = this.logger;
    const unix = keptOf(reexec?.fds, 'unix-http-server');
    const inet = keptOf(reexec?.fds, 'inet-http-server');
    const unixFd = takeKept(unix, (k) => k.file === config.unixHttpServer?.file);
    const inetFd = takeKept(inet, (k) => k.port === config.inetHttpServer?.port);
    for (const k of unix) unlinkQuietly(k.file);
    this.control = new ServerSlot(
      config.unixHttpServer ?? null,
      (c, adoptFd) => startControlServer({ config: c, ...calls, ...(adoptFd === undefined ? {} : { adoptFd }) }),
      (c, err) => logger.critical(`[unix_http_server] file=${c.file}: ${(err as Error).message}`),
    );
    await this.control.start(unixFd);
    this.inet = new ServerSlot(
      config.inetHttpServer ?? null,
      async (c, adoptFd) => (await import('../servers/inet-server.js')).startInetHttpServer({ config: c, ...calls, ...(adoptFd === undefined ? {} : { adoptFd }) }),
      async (c, err) => logger.critical(`[inet_http_server] port=${c.port}: ${(await import('../servers/inet-server.js')).openErrorMessage(err)}`),
    );
    await this.inet.start(inetFd);
  }

  /** At a reload: the sections of `next` (a server that cannot open then is logged). */
  reapply(next: Config, closing: () => boolean): void {
    void this.control?.apply(next.unixHttpServer ?? null, closing);
    void this.inet?.apply(next.inetHttpServer ?? null, closing);
  }

  /**
   * reexec: each server's listening fd is kept for the next image (a copy, close-on-exec until
   * reexec/exec.ts clears it) and the server closes: from now on connections wait in the
   * backlog. Its open connections end at the exec.
   */
  handOverForExec(): KeptFd[] {
    const kept: KeptFd[] = [];
    const unixFd = this.control?.handOver() ?? null;
    if (unixFd !== null) kept.push({ kind: 'unix-http-server', fd: unixFd, file: this.control!.config!.file });
    const inetFd = this.inet?.handOver() ?? null;
    if (inetFd !== null) kept.push({ kind: 'inet-http-server', fd: inetFd, port: this.inet!.config!.port });
    return kept;
  }

  /** The exec failed: serve the kept fds again. */
  async reopen(kept: KeptFd[]): Promise<void> {
    await this.control?.start(keptOf(kept, 'unix-http-server')[0]?.fd);
    await this.inet?.start(keptOf(kept, 'inet-http-server')[0]?.fd);
  }

  /** At exit: close both and remove the unix socket's file (closing the server does too). */
  close(): void {
    this.control?.close();
    this.inet?.close();
    try {
      if (this.control?.config) unlinkSync(this.control.config.file);
    } catch {
      /* gone */
    }
  }
}

/** The fd of the kept entry that `fits` (removed from `kept`); the others are closed and stay listed. */
function takeKept<K extends KeptFd>(kept: K[], fits: (k: K) => boolean): number | undefined {
  const i = kept.findIndex(fits);
  const fd = i < 0 ? undefined : kept.splice(i, 1)[0]!.fd;
  for (const other of kept) closeFdQuietly(other.fd);
  return fd;
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    /* gone */
  }
}

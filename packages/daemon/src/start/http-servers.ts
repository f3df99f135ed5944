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

/** What both servers call with: everything but their own section. */
export type CallOptions = Omit<ControlServerOptions, 'config'>;

/** What the daemon's own calls ask of the daemon (shutdown, reload). */
export interface DaemonRequests {
  requestShutdown(): void;
  requestRestart(): void;
  /** `reexec`: why not (nothing changed), or null once the exec is under way. */
  requestReexec(): Promise<string | null>;
}

export function callOptions(config: Config, { supervisor, metrics }: Supervision, logger: MainLog, bus: LogBus, requests: DaemonRequests): CallOptions {
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
        metrics,
      }),
    ),
  };
}

export class HttpServers {
  private control: ServerSlot<UnixHttpServerConfig> | null = null;
  private inet: ServerSlot<InetHttpServerConfig> | null = null;

  constructor(private readonly logger: MainLog) {}

  /** At start-up: a server that cannot open ends the start (its error is thrown). */
  async open(config: Config, calls: CallOptions): Promise<void> {
    const logger = this.logger;
    this.control = new ServerSlot(
      config.unixHttpServer ?? null,
      (c) => startControlServer({ config: c, ...calls }),
      (c, err) => logger.critical(`[unix_http_server] file=${c.file}: ${(err as Error).message}`),
    );
    await this.control.start();
    this.inet = new ServerSlot(
      config.inetHttpServer ?? null,
      async (c) => (await import('../servers/inet-server.js')).startInetHttpServer({ config: c, ...calls }),
      async (c, err) => logger.critical(`[inet_http_server] port=${c.port}: ${(await import('../servers/inet-server.js')).openErrorMessage(err)}`),
    );
    await this.inet.start();
  }

  /** At a reload: the sections of `next` (a server that cannot open then is logged). */
  reapply(next: Config, closing: () => boolean): void {
    void this.control?.apply(next.unixHttpServer ?? null, closing);
    void this.inet?.apply(next.inetHttpServer ?? null, closing);
  }

  /** reexec: closed for the exec (the next image opens them again), or reopened if it failed. */
  async closeForExec(): Promise<void> {
    this.control?.close();
    this.inet?.close();
  }

  async reopen(): Promise<void> {
    await this.control?.start();
    await this.inet?.start();
  }

  /** At exit: close both and remove the unix socket's file. */
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

/**
 * How the running daemon ends and starts over: exit (stop every process in order, close the
 * servers, remove the socket and pid files, flush the main log) and restart (SIGHUP, `reload`:
 * supervisord runs its start-up again with the configuration read anew). Shared by the
 * signals, the ctl's shutdown/reload and essential=true.
 */
import { unlinkSync } from 'node:fs';
import type { Config } from '../config/types.js';
import type { MainLog } from '../logs/index.js';
import type { SystemdNotifier } from '../readiness/systemd.js';
import type { Supervisor } from '../supervisor.js';
import { readForRestart } from './configuration.js';
import type { DaemonRequests, HttpServers } from './http-servers.js';
import { clearAutoChildLogs } from './open-logs.js';
import { logParseMessages, logServersOpened } from './start-up-lines.js';

export interface LifecycleParts {
  supervisor: Supervisor;
  servers: HttpServers;
  logger: MainLog;
  read: () => Config;
  /** The pid file written at start-up (the one removed at exit). */
  pidfile: string;
  /** Told of a reload and of the shutdown when the daemon runs under systemd (Type=notify). */
  systemd: SystemdNotifier | null;
}

export class Lifecycle implements DaemonRequests {
  private exiting = false;

  constructor(private readonly parts: LifecycleParts) {}

  async exit(code: number): Promise<void> {
    if (this.exiting) return;
    this.exiting = true;
    const { supervisor, servers, logger, pidfile, systemd } = this.parts;
    systemd?.stopping();
    await supervisor.shutdown();
    servers.close();
    try {
      unlinkSync(pidfile);
    } catch {
      /* gone */
    }
    logger.debug('supervisord exiting');
    await logger.close();
    process.exit(code);
  }

  /** The configuration for a restart, or CANT_REREAD (configuration.ts readForRestart). */
  readNext(): Config {
    return readForRestart(this.parts.read);
  }

  restart(next: Config): void {
    const { supervisor, servers, logger, systemd } = this.parts;
    logger.debug('supervisord restarting');
    systemd?.reloading();
    // supervisord runs its start-up again: the same log lines, AUTO child logs cleared.
    void supervisor.restart(next, () => {
      systemd?.started();
      logParseMessages(logger, next);
      clearAutoChildLogs(next);
      servers.reapply(next, () => this.exiting);
      logServersOpened(logger, next);
      logger.info(`supervisord started with pid ${process.pid}`);
    });
  }

  // ---- what the ctl's calls ask (rpc/handlers.ts) ---------------------------------------

  requestShutdown(): void {
    setImmediate(() => void this.exit(0));
  }

  /** Reads the configuration now, so that one that does not read is the caller's fault. */
  requestRestart(): void {
    const next = this.readNext();
    setImmediate(() => this.restart(next));
  }
}

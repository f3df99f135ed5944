/**
 * How the running daemon ends and starts over: exit (stop every process in order, close the
 * servers, remove the socket and pid files, flush the main log) and restart (SIGHUP, `reload`:
 * supervisord runs its start-up again with the configuration read anew) and reexec (this
 * daemon's code executed again in place, the children kept: reexec/). Shared by the signals,
 * the ctl's shutdown/reload/reexec and essential=true.
 */
import { unlinkSync } from 'node:fs';
import type { Config } from '../config/types.js';
import type { MainLog } from '../logs/index.js';
import type { SystemdNotifier } from '../readiness/systemd.js';
import { checkNextImage } from '../reexec/check.js';
import { cannotReexec, execAgain } from '../reexec/exec.js';
import type { Supervisor } from '../supervisor.js';
import type { EventSystem } from '../events/system.js';
import { readForRestart } from './configuration.js';
import type { DaemonRequests, HttpServers } from './http-servers.js';
import { clearAutoChildLogs } from './open-logs.js';
import { logParseMessages, logServersOpened } from './start-up-lines.js';

export interface LifecycleParts {
  supervisor: Supervisor;
  /** Its event system (reexec carries its serial). */
  events: EventSystem;
  servers: HttpServers;
  logger: MainLog;
  read: () => Config;
  /** The pid file written at start-up (the one removed at exit). */
  pidfile: string;
  /** Told of a reload and of the shutdown when the daemon runs under systemd (Type=notify). */
  systemd: SystemdNotifier | null;
  /** The directory the daemon started in (carried across a reexec). */
  cwd: string;
}

export class Lifecycle implements DaemonRequests {
  private exiting = false;
  private reexecing = false;

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

  /**
   * reexec (issue 14): check that the installed code and the configuration load, then execute
   * this daemon again in place (reexec/exec.ts); the children keep running. Resolves with why
   * not (nothing changed), or null: the answer goes out first, the exec starts just after.
   */
  async requestReexec(): Promise<string | null> {
    const { supervisor, events, servers, logger, cwd } = this.parts;
    if (supervisor.state !== 'RUNNING') return 'shutting down';
    if (this.reexecing) return 'a reexec is already under way';
    const unsupported = cannotReexec(supervisor);
    if (unsupported) return unsupported;
    this.reexecing = true;
    try {
      const check = await checkNextImage(cwd);
      if (!check.ok || supervisor.state !== 'RUNNING') {
        this.reexecing = false;
        return check.ok ? 'shutting down' : check.why;
      }
    } catch (err) {
      this.reexecing = false;
      throw err;
    }
    setTimeout(() => {
      void execAgain({ supervisor, events, logger, cwd, handOverServers: () => servers.handOverForExec(), reopenServers: (kept) => servers.reopen(kept) }).finally(() => {
        this.reexecing = false;
      });
    }, 10);
    return null;
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

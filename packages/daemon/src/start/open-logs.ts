/**
 * Start-up steps around the main log: enter directory= (daemonized only), open the main log
 * (its lines also go to the log bus, for maintail -f), and what supervisord does once it is
 * open and before the first spawn: umask= (daemonized only), the subreaper, and clearing the
 * AUTO child logs of an earlier run.
 */
import type { Config, SupervisordConfig } from '../config/types.js';
import { isDaemonChild } from '../daemonize.js';
import { installLastResort } from '../last-resort.js';
import { clearAutoChildLogDir, LogBus, MAIN_LOG_NAME, MainLog, mainLogOptions } from '../logs/index.js';
import { startReaper } from '../reaper.js';

/**
 * As supervisord's daemonize(): directory= and umask= apply only when it forks into the
 * background; with nodaemon=true the daemon keeps the directory and umask it was started with.
 */
export function enterDirectory(server: SupervisordConfig): void {
  if (isDaemonChild() && server.directory) process.chdir(server.directory);
}

export function openMainLog(server: SupervisordConfig): { logger: MainLog; bus: LogBus } {
  const bus = new LogBus();
  const logger = new MainLog({
    ...mainLogOptions(server),
    onLine: (line) => bus.publish(MAIN_LOG_NAME, 'stdout', line),
  });
  installLastResort(logger);
  return { logger, bus };
}

/** After the main log is open: supervisord opens it before it forks, with the umask it had. */
export function prepareForChildren(server: SupervisordConfig, logger: MainLog): void {
  if (isDaemonChild()) process.umask(server.umask);
  // Container PID 1 mode: adopt and reap orphaned grandchildren (before the first spawn).
  if (server.nodaemon || process.pid === 1) startReaper(logger);
}

/** supervisord removes the AUTO logs of its earlier runs at each start (not with nocleanup). */
export function clearAutoChildLogs(config: Config): void {
  const server = config.supervisord;
  if (!server.nocleanup) clearAutoChildLogDir(server.childlogdir, server.identifier);
}

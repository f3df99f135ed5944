/**
 * Start-up step: the signals supervisord answers, turned into requests: TERM, INT and QUIT
 * exit; HUP restarts (refused while shutting down, and when the configuration no longer reads:
 * the running one is kept); USR1 (unused by supervisord 4.2.5) re-executes the daemon in place
 * as `tsupervisorctl reexec`; USR2 reopens the main log and every process's logs.
 */
import type { MainLog } from '../logs/index.js';
import type { Supervisor } from '../supervisor.js';
import type { Lifecycle } from './lifecycle.js';

export function answerSignals(supervisor: Supervisor, lifecycle: Lifecycle, logger: MainLog): void {
  for (const sig of ['SIGTERM', 'SIGINT', 'SIGQUIT'] as const) {
    process.on(sig, () => {
      logger.warn(`received ${sig} indicating exit request`);
      void lifecycle.exit(0);
    });
  }
  process.on('SIGHUP', () => {
    if (supervisor.state !== 'RUNNING') {
      logger.warn('ignored SIGHUP indicating restart request (shutdown in progress)');
      return;
    }
    logger.warn('received SIGHUP indicating restart request');
    let next;
    try {
      next = lifecycle.readNext();
    } catch (err) {
      logger.error(`not restarting, the running configuration is kept: ${(err as Error).message}`);
      return;
    }
    lifecycle.restart(next);
  });
  process.on('SIGUSR1', () => {
    logger.warn('received SIGUSR1 indicating reexec request');
    void lifecycle.requestReexec().then(
      (why) => why && logger.error(`not re-executing, the running daemon goes on: ${why}`),
      (err) => logger.error(`not re-executing: ${(err as Error).message}`),
    );
  });
  process.on('SIGUSR2', () => {
    logger.info('received SIGUSR2 indicating log reopen request');
    void logger.reopen();
    for (const p of supervisor.allByPriority()) void p.output.reopen(true);
  });
}

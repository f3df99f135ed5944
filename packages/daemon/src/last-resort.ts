/**
 * The daemon's last line of defence. A bug that throws in an event handler or rejects a
 * promise nobody awaits would end the process (Node's default), and with it, through
 * PR_SET_PDEATHSIG, every program it supervises. Like supervisor's main loop, which logs an
 * uncaptured exception and goes on, tsupervisord logs it (with its stack, at most 10 a minute
 * so a loop cannot flood the log) and keeps supervising.
 */
import type { Logger } from './logger.js';

const BURST = 10;
const WINDOW_MS = 60_000;

export function installLastResort(logger: Logger): void {
  let windowStart = 0;
  let count = 0;
  let dropped = 0;
  const report = (what: string, err: unknown) => {
    try {
      log(what, err);
    } catch {
      /* the log itself is failing: nothing more to do */
    }
  };
  const log = (what: string, err: unknown) => {
    const now = Date.now();
    if (now - windowStart > WINDOW_MS) {
      if (dropped > 0) logger.log('critical', `${dropped} more uncaught errors were not logged`);
      windowStart = now;
      count = 0;
      dropped = 0;
    }
    if (++count > BURST) {
      dropped++;
      return;
    }
    const text = err instanceof Error ? (err.stack ?? `${err.name}: ${err.message}`) : String(err);
    logger.log('critical', `${what} (the daemon keeps running): ${text}`);
  };
  process.on('uncaughtException', (err) => report('uncaught exception', err));
  process.on('unhandledRejection', (reason) => report('unhandled rejection', reason));
}

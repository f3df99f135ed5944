/**
 * The crash-loop throttle: when a process that counted as started (RUNNING, e.g. startsecs=0)
 * dies right after its spawn, again and again, its automatic restarts are spaced out.
 *
 * supervisord respawns an EXITED process from its transition loop, which runs about once a
 * second (its select timeout, sooner when a socket or pipe wakes it): `/bin/false` with
 * startsecs=0 and autorestart=true spawns ~7 times in 10 s there. tsupervisord reacts to an exit
 * at once, which without this rule is hundreds of spawns a second (CPU, orphans, fds, and a main
 * log growing by megabytes a minute). The rule, pure like the state machine that applies it:
 * - a run shorter than INSTANT_CRASH_MS (whatever startsecs says) is an instant crash; a longer
 *   one resets the count, so a process that crashed after running a while is respawned at once;
 * - the first FREE_RESPAWNS instant crashes in a row are respawned at once, as supervisord does
 *   when something wakes its loop (a program that fails twice and then stays up is not slowed);
 * - from then on each restart waits 1 s, 2 s, 3 s … up to MAX_DELAY_MS (supervisord's pace at
 *   first, then slower), in the EXITED state supervisord shows between its ticks;
 * - the throttle engaging is logged once per burst; an admin start begins a new count.
 *
 * The waits between start retries (BACKOFF) are here too, so both follow one rule when
 * `backoff_max=` (tsupervisor) is set: the wait doubles from 1 s up to that cap, for the
 * crash loop's throttled restarts as for the retries. Without it, supervisor's 1 s, 2 s, 3 s …
 * `startretries=-1` retries for ever.
 */

/** A run shorter than this counts as an instant crash. */
export const INSTANT_CRASH_MS = 1000;
/** Instant crashes in a row that are still respawned at once. */
export const FREE_RESPAWNS = 2;
/** The longest wait between two restarts of a crash loop. */
export const MAX_DELAY_MS = 5000;

/** The count of instant crashes in a row after a run of `runMs` ms. */
export function countCrash(previous: number, runMs: number): number {
  return runMs < INSTANT_CRASH_MS ? previous + 1 : 0;
}

/** How long to wait before the automatic restart after `crashes` instant crashes in a row. */
export function restartDelayMs(crashes: number, backoffMax?: number): number {
  if (crashes <= FREE_RESPAWNS) return 0;
  if (backoffMax !== undefined) return doublingDelayMs(crashes - FREE_RESPAWNS, backoffMax);
  return Math.min((crashes - FREE_RESPAWNS) * 1000, MAX_DELAY_MS);
}

/** The wait before start retry number `tries` (1, 2 …): supervisor's `tries` s, or doubling. */
export function retryDelayMs(tries: number, backoffMax?: number): number {
  return backoffMax === undefined ? tries * 1000 : doublingDelayMs(tries, backoffMax);
}

/** 1 s, 2 s, 4 s … capped at `maxSeconds`. */
function doublingDelayMs(n: number, maxSeconds: number): number {
  return Math.min(2 ** Math.min(n - 1, 30), maxSeconds) * 1000;
}

/** `startretries=-1` never gives up; otherwise supervisor's rule (more failures than retries). */
export function retriesSpent(failures: number, startretries: number): boolean {
  return startretries !== RETRY_FOREVER && failures > startretries;
}

/** The `startretries` value that means: retry for ever (tsupervisor). */
export const RETRY_FOREVER = -1;

/** True when this exit is the one that engages the throttle: the burst's only log line. */
export function throttleEngages(crashes: number): boolean {
  return crashes === FREE_RESPAWNS + 1;
}

export function crashLoopMessage(name: string, crashes: number, backoffMax?: number): string {
  const pace = backoffMax === undefined ? `1 s, 2 s … up to ${MAX_DELAY_MS / 1000} s` : `1 s, 2 s, 4 s … up to ${backoffMax} s (backoff_max)`;
  return (
    `crash loop: ${name} exited ${crashes} times in a row within ${INSTANT_CRASH_MS / 1000} s of its spawn; ` +
    `respawning it ${pace} apart until a run lasts ${INSTANT_CRASH_MS / 1000} s`
  );
}

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
export function restartDelayMs(crashes: number): number {
  if (crashes <= FREE_RESPAWNS) return 0;
  return Math.min((crashes - FREE_RESPAWNS) * 1000, MAX_DELAY_MS);
}

/** True when this exit is the one that engages the throttle: the burst's only log line. */
export function throttleEngages(crashes: number): boolean {
  return crashes === FREE_RESPAWNS + 1;
}

export function crashLoopMessage(name: string, crashes: number): string {
  return (
    `crash loop: ${name} exited ${crashes} times in a row within ${INSTANT_CRASH_MS / 1000} s of its spawn; ` +
    `respawning it 1 s, 2 s … up to ${MAX_DELAY_MS / 1000} s apart until a run lasts ${INSTANT_CRASH_MS / 1000} s`
  );
}

/**
 * supervisord's transition loop moves every autostarted process with startsecs=0 to RUNNING in one
 * pass, before it reaps any exit: a child that exits at once is logged `success:` after those
 * spawned before it, and `exited:` after all of them. tsupervisord defers that RUNNING by a zero
 * timer (transition.ts deferRunning); a reap that comes before those timers fired fires the
 * pending ones first, in spawn order, so the log reads the same however fast the child exits.
 */

/** The processes whose deferred RUNNING has not come yet, in spawn order, each with how to fire it. */
const pending = new Map<object, () => void>();

export function deferRunning(owner: object, fire: () => void): void {
  pending.delete(owner);
  pending.set(owner, fire);
}

/** Its timer fired or was cleared. */
export function runningSettled(owner: object): void {
  pending.delete(owner);
}

/** Before a reap is handled: every pending RUNNING now, in spawn order. */
export function flushDeferredRunning(): void {
  for (const [owner, fire] of [...pending]) {
    if (pending.delete(owner)) fire();
  }
}

/**
 * A process's pending timers (startsecs, backoff, stopwait, ready …): each armed for a spawn
 * generation, fired as a `timer` event of the state machine, with its deadline kept so that
 * reexec can arm it again in the next image (adoption.ts). The one place that knows how
 * autostart's deferred RUNNING is fired early (autostart-batch.ts).
 */
import type { OsSeam } from '../os-seam.js';
import { deferRunning, runningSettled } from './autostart-batch.js';
import type { TimerName } from './transition.js';

export class ProcessTimers {
  /** When each pending timer fires (reexec re-arms them in the next image). */
  readonly deadlines = new Map<TimerName, { generation: number; at: number }>();
  private readonly timers = new Map<TimerName, NodeJS.Timeout>();

  constructor(
    private readonly os: OsSeam,
    private readonly fire: (name: TimerName, generation: number) => void,
  ) {}

  /** Arms `name` (replacing one pending); `autostarting`: a startsecs=0 RUNNING deferred by autostart. */
  arm(name: TimerName, generation: number, ms: number, autostarting = false): void {
    this.clear(name);
    this.deadlines.set(name, { generation, at: this.os.now() + ms });
    this.timers.set(name, this.os.setTimer(() => this.fireNow(name), ms));
    if (name === 'startsecs' && ms === 0 && autostarting) deferRunning(this, () => this.fireNow(name));
  }

  private fireNow(name: TimerName): void {
    const generation = this.deadlines.get(name)?.generation;
    this.clear(name);
    if (generation !== undefined) this.fire(name, generation);
  }

  clear(name: TimerName): void {
    if (name === 'startsecs') runningSettled(this);
    const t = this.timers.get(name);
    if (t) {
      this.os.clearTimer(t);
      this.timers.delete(name);
    }
    this.deadlines.delete(name);
  }

  clearAll(): void {
    for (const name of [...this.timers.keys()]) this.clear(name);
  }
}

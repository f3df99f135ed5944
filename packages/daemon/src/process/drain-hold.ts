/**
 * fcgi socket_drain: the stop signal of a RUNNING→STOPPING stop (not SIGKILL) waits until the
 * host says the worker holds no request; the stopwait timer, queued after it, starts then. Kept
 * apart from the driver (subprocess.ts) because it is the one place where effects of the pure
 * transition are delayed: the hold queues them and hands them back once the drain is over. A
 * drain that ends after the process is gone or another spawn began does nothing.
 */
import type { Effect, ProcState } from './transition.js';

export class DrainHold {
  /** The stop's kill and stopwait timer, held while the worker drains. */
  private held: Effect[] | null = null;
  /** The spawn generation whose drain is over (its held kill then goes through). */
  private drainedGeneration = -1;

  /**
   * True when `effect` is held (it is performed later through `perform`). `current` reads the
   * process's state now; `drain` asks the host for the drain of that pid (null: none).
   */
  holds(
    effect: Effect,
    current: () => ProcState,
    drain: (pid: number) => Promise<unknown> | null,
    perform: (effect: Effect) => void,
  ): boolean {
    if (this.held) {
      if (effect.type === 'kill' || (effect.type === 'timer' && effect.name === 'stopwait')) {
        this.held.push(effect);
        return true;
      }
      return false;
    }
    const st = current();
    if (effect.type !== 'kill' || effect.signal === 'KILL' || st.state !== 'STOPPING' || !st.pid) return false;
    if (this.drainedGeneration === st.generation) return false;
    const drained = drain(st.pid);
    if (!drained) return false;
    const generation = st.generation;
    this.held = [effect];
    void drained.then(() => {
      const held = this.held ?? [];
      this.held = null;
      const now = current();
      if (now.generation !== generation || now.state !== 'STOPPING') return;
      this.drainedGeneration = generation;
      for (const e of held) perform(e);
    });
    return true;
  }
}

/**
 * TICK_5 / TICK_60 / TICK_3600 as supervisord.tick raises them: when the clock crosses a
 * multiple of the period (in epoch seconds), with `when` = that multiple. The first boundary
 * after start fires first; nothing is raised at start. A timer wakes up at each 5 s boundary
 * instead of supervisor's 1 s poll loop.
 */
import type { TickPeriod } from './payload.js';

export const TICK_PERIODS: readonly TickPeriod[] = [5, 60, 3600];

/** supervisor's timeslice(period, when): the start of the period holding `when` (seconds). */
export function timeslice(period: number, seconds: number): number {
  return Math.floor(seconds - (seconds % period));
}

export type TickSlices = Map<TickPeriod, number>;

export function initialSlices(nowSeconds: number): TickSlices {
  return new Map(TICK_PERIODS.map((p) => [p, timeslice(p, nowSeconds)]));
}

/** The ticks due at `nowSeconds` (in period order) and the slices to remember. */
export function dueTicks(last: TickSlices, nowSeconds: number): { ticks: Array<{ period: TickPeriod; when: number }>; slices: TickSlices } {
  const slices: TickSlices = new Map();
  const ticks: Array<{ period: TickPeriod; when: number }> = [];
  for (const period of TICK_PERIODS) {
    const slice = timeslice(period, nowSeconds);
    slices.set(period, slice);
    if (slice !== last.get(period)) ticks.push({ period, when: slice });
  }
  return { ticks, slices };
}

/** ms from `nowMs` to just past the next 5 s boundary. */
export function msToNextBoundary(nowMs: number): number {
  const step = TICK_PERIODS[0]! * 1000;
  return step - (nowMs % step) + 5;
}

export interface TickerClock {
  now(): number;
  setTimer(fn: () => void, ms: number): NodeJS.Timeout;
  clearTimer(timer: NodeJS.Timeout): void;
}

/** Calls `tick` at each boundary until stopped. */
export class Ticker {
  private timer: NodeJS.Timeout | null = null;
  private slices: TickSlices | null = null;

  constructor(
    private readonly clock: TickerClock,
    private readonly tick: (period: TickPeriod, when: number) => void,
  ) {}

  start(): void {
    if (this.timer) return;
    this.slices = initialSlices(this.clock.now() / 1000);
    this.schedule();
  }

  stop(): void {
    if (this.timer) this.clock.clearTimer(this.timer);
    this.timer = null;
  }

  private schedule(): void {
    this.timer = this.clock.setTimer(() => this.fire(), msToNextBoundary(this.clock.now()));
    this.timer.unref?.();
  }

  private fire(): void {
    const { ticks, slices } = dueTicks(this.slices!, this.clock.now() / 1000);
    this.slices = slices;
    this.schedule();
    for (const { period, when } of ticks) this.tick(period, when);
  }
}

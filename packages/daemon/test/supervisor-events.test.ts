/**
 * The supervisor's events are checked at compile time (supervisor-events.ts): this file does not
 * build if an unknown event name, or wrong arguments, stop being errors. It has no runtime
 * test: `pnpm run build` (tsc) is the test.
 */
import type { Supervisor } from '../src/supervisor.js';

// Never called: the checks are the compiler's.
export function compileTimeChecks(sup: Supervisor): void {
  sup.on('processState', (change) => change.to);
  sup.on('essentialFailed', (why: string) => why);
  // @ts-expect-error an event the map does not name
  sup.on('processStates', () => undefined);
  // @ts-expect-error wrong argument type for the event
  sup.emit('essentialFailed', 42);
  // @ts-expect-error a listener that expects another argument type
  sup.on('groupRemoved', (n: number) => n);
}

/**
 * Memory tuning for a long-lived, mostly idle daemon; imported first by main.ts.
 *
 * - V8 grows the young generation (two semi-spaces, up to 16 MiB each) after allocation bursts
 *   such as starting 1,000 processes, and keeps it: about 26 MB of resident memory that an idle
 *   process manager never needs. A growth factor of 1 keeps the semi-spaces at their initial
 *   size; the price is more, equally cheap, scavenges under load. (--max-semi-space-size cannot
 *   change once the heap exists; this flag can, so it works however node is started, package
 *   manager shims included.)
 * - Start-up (reading the config, spawning every program) leaves garbage in the old generation
 *   that an idle daemon would carry until V8 next needs a full collection, which may be never.
 *   `collectGarbageSoon()` runs one full collection once start-up has settled.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--semi-space-growth-factor=1');

let gc: (() => void) | null | undefined;

function fullGc(): void {
  if (gc === undefined) {
    try {
      setFlagsFromString('--expose-gc');
      gc = runInNewContext('gc') as () => void;
    } catch {
      gc = null;
    }
  }
  gc?.();
}

/** One full collection after `delayMs` (the timer does not keep the process alive). */
export function collectGarbageSoon(delayMs = 3000): void {
  setTimeout(fullGc, delayMs).unref();
}

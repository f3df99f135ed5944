/**
 * Memory tuning for a long-lived, mostly idle daemon; imported first by main.ts.
 *
 * - V8 grows the young generation (two semi-spaces, up to 16 MiB each) after allocation bursts
 *   such as starting 1,000 processes, and keeps it: about 26 MB of resident memory that an idle
 *   process manager never needs. A growth factor of 1 keeps the semi-spaces at their initial
 *   size; the price is more, equally cheap, scavenges under load. (--max-semi-space-size cannot
 *   change once the heap exists; this flag can, so it works however node is started, package
 *   manager shims included.)
 * - Working-set trimming: once the daemon has been quiet for a moment after activity (start-up,
 *   process state changes, control calls), it runs V8's last-resort collection (a full GC that
 *   also shrinks the young generation and frees pooled pages) and then asks the kernel to
 *   reclaim the clean file pages that start-up touched (native trimMemory: MADV_PAGEOUT on the
 *   node binary's read-only mappings, then MADV_DONTNEED on those other processes keep resident,
 *   malloc_trim). A bare idle node keeps about 32 MB of its binary resident that it never runs
 *   again (42 MB beside other node processes); after a trim the daemon's resident set is what
 *   it really uses. A page needed again is read back in, or mapped back, on first use. At most
 *   one trim a minute; TSUPERVISORD_TRIM=0 turns trimming off (the collection still runs).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { trimMemory } from './native/index.js';

setFlagsFromString('--semi-space-growth-factor=1');

/** Quiet time after the last activity before a trim. */
export const QUIET_MS = 2000;
/** Least time between two trims (a busy daemon keeps its pages anyway). */
export const MIN_INTERVAL_MS = 60_000;

type Gc = (options?: { type?: 'major' | 'minor'; execution?: 'sync' | 'async'; flavor?: 'regular' | 'last-resort' }) => void;
let gc: Gc | null | undefined;

function lastResortGc(): void {
  if (gc === undefined) {
    try {
      setFlagsFromString('--expose-gc');
      gc = runInNewContext('gc') as Gc;
    } catch {
      gc = null;
    }
  }
  // In Node 20 (V8 11.3) gc() with an options object runs a scavenge (--trace-gc shows it), so
  // the old generation was never compacted here. gc() with no argument is a full mark-compact
  // in every version; the options then ask newer V8s for the last-resort kind (in 11.3 a cheap
  // scavenge).
  gc?.();
  gc?.({ type: 'major', execution: 'sync', flavor: 'last-resort' });
}

const trimming = process.env['TSUPERVISORD_TRIM'] !== '0';
let timer: NodeJS.Timeout | null = null;
let lastTrim = -Infinity;
let running = false;

async function settle(): Promise<void> {
  timer = null;
  const wait = lastTrim + MIN_INTERVAL_MS - performance.now();
  if (wait > 0 || running) {
    arm(Math.max(wait, QUIET_MS));
    return;
  }
  running = true;
  lastTrim = performance.now();
  try {
    lastResortGc();
    if (trimming) await trimMemory();
  } catch {
    /* trimming is an optimisation: an addon without it, or a kernel without MADV_PAGEOUT */
  } finally {
    running = false;
  }
}

function arm(ms: number): void {
  if (timer) clearTimeout(timer);
  timer = setTimeout(() => void settle(), ms);
  timer.unref();
}

/** Something happened: settle memory once the daemon has been quiet for QUIET_MS. */
export function noteActivity(): void {
  arm(QUIET_MS);
}

/** The same handler object, each call noting activity. */
export function noticingCalls<T extends object>(handlers: T): T {
  const out = {} as Record<string, unknown>;
  for (const [name, fn] of Object.entries(handlers)) {
    out[name] =
      typeof fn === 'function'
        ? function (this: unknown, ...args: unknown[]) {
            noteActivity();
            return (fn as (...a: unknown[]) => unknown).apply(this, args);
          }
        : fn;
  }
  return out as T;
}

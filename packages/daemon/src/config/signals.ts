/**
 * The `stopsignal` value: `TERM`, `SIGTERM`, `term`, or a number (`15`), read as supervisor's
 * datatypes.signal_number reads it (the one table: @tsupervisor/protocol's python/signals.ts).
 * Results are canonical names without the SIG prefix ('TERM').
 */
import { parseSignal, pyRepr, signalNameOf, signalNumberOf } from '@tsupervisor/protocol';
import { BadValue } from './errors.js';

/**
 * `TERM` / `SIGTERM` / `15` → 'TERM'. Throws BadValue with supervisor's words for anything
 * else. One difference on purpose: supervisor also takes 0 (SIG_DFL's value is in its SIGNUMS)
 * and then stops the process with "signal 0", which sends nothing; a stop signal here must be a
 * signal, so a number no signal has is refused as "not a valid signal number".
 */
export function toSignalName(s: string): string {
  const parsed = parseSignal(s);
  const name = 'num' in parsed ? signalNameOf(parsed.num) : undefined;
  if (name === undefined) {
    const what = 'refused' in parsed && parsed.refused === 'name' ? 'name' : 'number';
    throw new BadValue(`value ${pyRepr(s)} is not a valid signal ${what}`);
  }
  return name;
}

/** 'TERM' → 15 (for the daemon, e.g. when Node lacks a name such as RTMIN). */
export function signalNumber(name: string): number | undefined {
  return signalNumberOf(name);
}

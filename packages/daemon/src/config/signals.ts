/**
 * Signal names and numbers (Linux), as datatypes.signal_number accepts them: `TERM`, `SIGTERM`,
 * `term`, or a number (`15`). Results are canonical names without the SIG prefix ('TERM').
 */
import { BadValue } from './errors.js';
import { pyRepr } from './expand.js';

/** Every signal Python's `signal` module names on Linux, canonical spelling first. */
const LINUX_SIGNALS: ReadonlyArray<[string, number]> = [
  ['HUP', 1],
  ['INT', 2],
  ['QUIT', 3],
  ['ILL', 4],
  ['TRAP', 5],
  ['ABRT', 6],
  ['IOT', 6],
  ['BUS', 7],
  ['FPE', 8],
  ['KILL', 9],
  ['USR1', 10],
  ['SEGV', 11],
  ['USR2', 12],
  ['PIPE', 13],
  ['ALRM', 14],
  ['TERM', 15],
  ['STKFLT', 16],
  ['CHLD', 17],
  ['CLD', 17],
  ['CONT', 18],
  ['STOP', 19],
  ['TSTP', 20],
  ['TTIN', 21],
  ['TTOU', 22],
  ['URG', 23],
  ['XCPU', 24],
  ['XFSZ', 25],
  ['VTALRM', 26],
  ['PROF', 27],
  ['WINCH', 28],
  ['IO', 29],
  ['POLL', 29],
  ['PWR', 30],
  ['SYS', 31],
  ['RTMIN', 34],
  ['RTMAX', 64],
];

const BY_NAME = new Map(LINUX_SIGNALS);
const BY_NUMBER = new Map<number, string>();
for (const [name, num] of LINUX_SIGNALS) if (!BY_NUMBER.has(num)) BY_NUMBER.set(num, name);

/** `TERM` / `SIGTERM` / `15` → 'TERM'. Throws BadValue for anything else. */
export function toSignalName(s: string): string {
  const t = s.trim();
  if (/^[+-]?\d+$/.test(t)) {
    const name = BY_NUMBER.get(Number(t));
    if (name === undefined) throw new BadValue(`value ${pyRepr(s)} is not a valid signal number`);
    return name;
  }
  let name = t.toUpperCase();
  if (name.startsWith('SIG')) name = name.slice(3);
  const num = BY_NAME.get(name);
  if (num === undefined) throw new BadValue(`value ${pyRepr(s)} is not a valid signal name`);
  return BY_NUMBER.get(num)!;
}

/** 'TERM' → 15 (for the daemon, e.g. when Node lacks a name such as RTMIN). */
export function signalNumber(name: string): number | undefined {
  return BY_NAME.get(name.toUpperCase().replace(/^SIG/, ''));
}

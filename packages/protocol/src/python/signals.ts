/**
 * Signals as supervisor's datatypes.signal_number() reads them (config's stopsignal, the
 * signalProcess* methods): a number (Python's int(), so ` 15 `, `+15`, `1_5`) or a name
 * (`TERM`, `SIGTERM`, `term`), checked against SIGNUMS. The one table for the daemon's config
 * reader and its RPC methods.
 */

/**
 * Every upper-case `SIG*` attribute of Python's `signal` module on Linux, with its value: the
 * signals (canonical spelling first where two names share a number: ABRT/IOT, CHLD/CLD, IO/POLL)
 * plus SIG_DFL/SIG_IGN and the sigprocmask constants, which signal_number() accepts too.
 */
const PY_SIGNALS: Readonly<Record<string, number>> = {
  SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGILL: 4, SIGTRAP: 5, SIGABRT: 6, SIGIOT: 6, SIGBUS: 7,
  SIGFPE: 8, SIGKILL: 9, SIGUSR1: 10, SIGSEGV: 11, SIGUSR2: 12, SIGPIPE: 13, SIGALRM: 14,
  SIGTERM: 15, SIGSTKFLT: 16, SIGCHLD: 17, SIGCLD: 17, SIGCONT: 18, SIGSTOP: 19, SIGTSTP: 20,
  SIGTTIN: 21, SIGTTOU: 22, SIGURG: 23, SIGXCPU: 24, SIGXFSZ: 25, SIGVTALRM: 26, SIGPROF: 27,
  SIGWINCH: 28, SIGIO: 29, SIGPOLL: 29, SIGPWR: 30, SIGSYS: 31, SIGRTMIN: 34, SIGRTMAX: 64,
  SIG_DFL: 0, SIG_IGN: 1, SIG_BLOCK: 0, SIG_UNBLOCK: 1, SIG_SETMASK: 2,
};

// The tables below are marked pure so that a bundle that uses none of this (the ctl's) drops them.

/** datatypes.SIGNUMS: the values above (0–31, 34, 64); any other number is refused. */
const SIGNUMS = /* @__PURE__ */ signalNumbers();

/** A signal's canonical name without `SIG` ('TERM'), by number; SIG_DFL and friends are none. */
const NAMES = /* @__PURE__ */ canonicalNames();

function signalNumbers(): Set<number> {
  return new Set(Object.values(PY_SIGNALS));
}

function canonicalNames(): Map<number, string> {
  const names = new Map<number, string>();
  for (const [name, num] of Object.entries(PY_SIGNALS)) {
    if (!name.startsWith('SIG_') && !names.has(num)) names.set(num, name.slice(3));
  }
  return names;
}

/** signal_number()'s answer: the number, or which of its two checks refused the value. */
export type SignalNumber = { num: number } | { refused: 'name' | 'number' };

/** datatypes.signal_number(value). */
export function parseSignal(value: string | number): SignalNumber {
  const raw = String(value);
  let num: number | undefined;
  // Python's int(): surrounding whitespace, a sign, digits with single underscores between.
  const int = /^\s*([+-]?)(\d+(?:_\d+)*)\s*$/.exec(raw);
  if (int) num = Number(int[1] + int[2].replace(/_/g, ''));
  else {
    let name = raw.trim().toUpperCase();
    if (!name.startsWith('SIG')) name = `SIG${name}`;
    if (!Object.hasOwn(PY_SIGNALS, name)) return { refused: 'name' };
    num = PY_SIGNALS[name];
  }
  return SIGNUMS.has(num) ? { num } : { refused: 'number' };
}

/** 15 → 'TERM'; undefined for a number no signal has (0). */
export function signalNameOf(num: number): string | undefined {
  return NAMES.get(num);
}

/** 'TERM' or 'SIGTERM' (any case) → 15; undefined for anything that is not a signal's name. */
export function signalNumberOf(name: string): number | undefined {
  const upper = name.toUpperCase();
  const key = upper.startsWith('SIG') ? upper : `SIG${upper}`;
  return Object.hasOwn(PY_SIGNALS, key) && !key.startsWith('SIG_') ? PY_SIGNALS[key] : undefined;
}

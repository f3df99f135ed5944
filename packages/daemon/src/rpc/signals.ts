/** Signal names and numbers as supervisor's datatypes.signal_number() accepts them. */
import { Faults, RPCFault } from '@tsupervisor/protocol';

/**
 * Every upper-case `SIG*` attribute of Python's `signal` module on Linux, with its value:
 * the signals themselves plus SIG_DFL/SIG_IGN and the sigprocmask constants, which
 * signal_number() accepts too (`_DFL` is 0, `_IGN` is 1).
 */
const PY_SIGNALS: Readonly<Record<string, number>> = {
  SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGILL: 4, SIGTRAP: 5, SIGABRT: 6, SIGIOT: 6, SIGBUS: 7,
  SIGFPE: 8, SIGKILL: 9, SIGUSR1: 10, SIGSEGV: 11, SIGUSR2: 12, SIGPIPE: 13, SIGALRM: 14,
  SIGTERM: 15, SIGSTKFLT: 16, SIGCHLD: 17, SIGCLD: 17, SIGCONT: 18, SIGSTOP: 19, SIGTSTP: 20,
  SIGTTIN: 21, SIGTTOU: 22, SIGURG: 23, SIGXCPU: 24, SIGXFSZ: 25, SIGVTALRM: 26, SIGPROF: 27,
  SIGWINCH: 28, SIGIO: 29, SIGPOLL: 29, SIGPWR: 30, SIGSYS: 31, SIGRTMIN: 34, SIGRTMAX: 64,
  SIG_DFL: 0, SIG_IGN: 1, SIG_BLOCK: 0, SIG_UNBLOCK: 1, SIG_SETMASK: 2,
};
/** datatypes.SIGNUMS: the values above (0–31, 34, 64); any other number is refused. */
const SIGNUMS = new Set(Object.values(PY_SIGNALS));

/**
 * 'HUP', 'SIGHUP', 'hup', '1' or 1 → '1' (a decimal signal number, as os-seam's kill takes it);
 * anything signal_number() refuses → BAD_SIGNAL.
 */
export function signalName(signal: string | number): string {
  const raw = String(signal);
  let num: number | undefined;
  // Python's int(): surrounding whitespace, a sign, digits with single underscores between.
  const int = /^\s*([+-]?)(\d+(?:_\d+)*)\s*$/.exec(raw);
  if (int) num = Number(int[1] + int[2].replace(/_/g, ''));
  else {
    let name = raw.trim().toUpperCase();
    if (!name.startsWith('SIG')) name = `SIG${name}`;
    num = Object.hasOwn(PY_SIGNALS, name) ? PY_SIGNALS[name] : undefined;
  }
  if (num === undefined || !SIGNUMS.has(num)) throw new RPCFault(Faults.BAD_SIGNAL, raw);
  return String(num);
}

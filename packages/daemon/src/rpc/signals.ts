/** A signal argument of the signalProcess* methods, read as supervisor's datatypes.signal_number(). */
import { Faults, RPCFault, parseSignal } from '@tsupervisor/protocol';

/**
 * 'HUP', 'SIGHUP', 'hup', '1' or 1 → '1' (a decimal signal number, as os-seam's kill takes it);
 * anything signal_number() refuses → BAD_SIGNAL.
 */
export function signalName(signal: string | number): string {
  const parsed = parseSignal(signal);
  if (!('num' in parsed)) throw new RPCFault(Faults.BAD_SIGNAL, String(signal));
  return String(parsed.num);
}

/** Signal names and numbers as supervisor's signal_number() accepts them. */
import { constants } from 'node:os';
import { Faults, RPCFault } from '@tsupervisor/protocol';

const byNumber = new Map<number, string>();
for (const [name, num] of Object.entries(constants.signals)) byNumber.set(num, name.replace(/^SIG/, ''));

/** 'HUP', 'SIGHUP', 'hup', '1' or 1 → 'HUP'; anything else → BAD_SIGNAL. */
export function signalName(signal: string | number): string {
  const raw = String(signal).trim();
  if (/^\d+$/.test(raw)) {
    const name = byNumber.get(Number(raw));
    if (name) return name;
  } else {
    const name = raw.toUpperCase().replace(/^SIG/, '');
    if (`SIG${name}` in constants.signals) return name;
  }
  throw new RPCFault(Faults.BAD_SIGNAL, String(signal));
}

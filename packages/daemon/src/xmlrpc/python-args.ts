/**
 * What supervisor 4.2.5's methods make of an argument of another type than documented, since
 * Python checks none of them: each parameter is used in a way (a namespec is split on ':', a
 * group name looked up in a dict, an offset passed to int() …) that either works with the value,
 * raises TypeError (traverse turns it into INCORRECT_PARAMETERS), raises a fault of its own, or
 * raises another exception: then supervisord answers HTTP 500 (and system.multicall
 * `FAILED: <class 'AttributeError'>:…`). Recorded from supervisord with xmlrpc.client
 * (test/fixtures/xmlrpc/arg-types.py).
 */
import { Faults, PythonError, RPCFault, pyRepr } from '@tsupervisor/protocol';
import { XmlRpcDateTime, XmlRpcDouble, type XmlRpcValue } from './codec.js';

/** An exception other than a fault in supervisor's method: HTTP 500 (the one class, from protocol). */
export { PythonError };

/**
 * How a method uses a parameter:
 * - namespec: split_namespec(name) (getProcessInfo, startProcess …);
 * - group: a key of the process groups dict (startProcessGroup, removeProcessGroup …);
 * - compared: compared with the configured group names (addProcessGroup);
 * - int: int(value) inside a `except ValueError` that fails itself (readLog, tail …);
 * - truth: a truth value (wait);
 * - chars: sendProcessStdin's isinstance check;
 * - signal: signal_number(value) (int(), else a name); each-signal: the same, but only once
 *   a running process is found (signalProcessGroup, signalAllProcesses: method-map.ts);
 * - text: str(value) (sendRemoteCommEvent).
 */
export type Role = 'namespec' | 'group' | 'compared' | 'int' | 'truth' | 'chars' | 'signal' | 'each-signal' | 'text';

/** Python's type name of a value as supervisor's parser gives it. */
export function pyTypeName(v: XmlRpcValue): string {
  if (v === null) return 'NoneType';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'string') return 'str';
  if (v instanceof XmlRpcDouble) return 'float';
  if (v instanceof XmlRpcDateTime) return 'datetime.datetime';
  return Array.isArray(v) ? 'list' : 'dict';
}

function floatRepr(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e16) return n.toFixed(1);
  return String(n).replace(/e([+-])(\d)$/, 'e$10$2');
}

/** `2020-01-01 00:00:00` from `20200101T00:00:00` (str of supervisor's datetime). */
function dateText(text: string): string {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2}):(\d{2}):(\d{2})$/.exec(text);
  return m ? `${m[1]}-${m[2]}-${m[3]} ${m[4]}:${m[5]}:${m[6]}` : text;
}

/** Python's str() of the value. */
export function pyStr(v: XmlRpcValue): string {
  if (typeof v === 'string') return v;
  return pyReprOf(v);
}

/** Python's repr() of the value. */
export function pyReprOf(v: XmlRpcValue): string {
  if (v === null) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : floatRepr(v);
  if (typeof v === 'string') return pyRepr(v);
  if (v instanceof XmlRpcDouble) return floatRepr(v.value);
  if (v instanceof XmlRpcDateTime) return `datetime.datetime(${dateText(v.text).replace(/\D+/g, ', ').replace(/, 0(\d)/g, ', $1')})`;
  if (Array.isArray(v)) return `[${v.map(pyReprOf).join(', ')}]`;
  return `{${Object.entries(v).map(([k, x]) => `${pyRepr(k)}: ${pyReprOf(x)}`).join(', ')}}`;
}

function strOfDate(v: XmlRpcValue): string {
  return v instanceof XmlRpcDateTime ? dateText(v.text) : pyStr(v);
}

const noAttribute = (v: XmlRpcValue, attr: string) => new PythonError('AttributeError', `'${pyTypeName(v)}' object has no attribute '${attr}'`);

/** Python's int(value); TypeError → INCORRECT_PARAMETERS, ValueError → the caller's. */
function pyInt(v: XmlRpcValue): number | { invalid: string } {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number') return Math.trunc(v);
  if (v instanceof XmlRpcDouble) return Math.trunc(v.value);
  if (typeof v === 'string') {
    const t = v.trim();
    if (/^[+-]?\d+(_\d+)*$/.test(t)) return Number(t.replace(/_/g, ''));
    return { invalid: `invalid literal for int() with base 10: ${pyRepr(v)}` };
  }
  throw new RPCFault(Faults.INCORRECT_PARAMETERS);
}

/** Python's bool(value). */
function truth(v: XmlRpcValue): boolean {
  if (v === null) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'string') return v !== '';
  if (v instanceof XmlRpcDouble) return v.value !== 0;
  if (v instanceof XmlRpcDateTime) return true;
  return Array.isArray(v) ? v.length > 0 : Object.keys(v).length > 0;
}

/** Whether signal_number() gets past int() or .strip(): a number, a bool or a string. */
export function signalUsable(v: XmlRpcValue): boolean {
  return typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string' || v instanceof XmlRpcDouble;
}

/** signal_number on a value it cannot use: int() fails, then .strip() does not exist. */
export function signalError(v: XmlRpcValue): PythonError {
  return noAttribute(v, 'strip');
}

/**
 * The value the method table gets for a parameter used as `role`, or what supervisor raises
 * (an RPCFault, or a PythonError for a 500).
 */
export function coerce(role: Role, v: XmlRpcValue): unknown {
  switch (role) {
    case 'namespec':
      if (typeof v === 'string') return v;
      throw noAttribute(v, 'split');
    case 'group':
      if (typeof v === 'string') return v;
      if (Array.isArray(v) || (v !== null && typeof v === 'object' && !(v instanceof XmlRpcDouble) && !(v instanceof XmlRpcDateTime))) {
        throw new RPCFault(Faults.INCORRECT_PARAMETERS); // unhashable
      }
      throw new RPCFault(Faults.BAD_NAME, strOfDate(v));
    case 'compared':
      if (typeof v === 'string') return v;
      throw new RPCFault(Faults.BAD_NAME, strOfDate(v));
    case 'int': {
      const n = pyInt(v);
      if (typeof n === 'number') return n;
      // readLog's `except ValueError: raise RPCError(getattr(Faults, why))` fails itself
      throw new PythonError('AttributeError', `type object 'Faults' has no attribute '${n.invalid}'`);
    }
    case 'truth':
      return truth(v);
    case 'chars':
      if (typeof v === 'string') return v;
      throw new RPCFault(Faults.INCORRECT_PARAMETERS, strOfDate(v));
    case 'signal':
    case 'each-signal':
      if (typeof v === 'string') return v;
      if (signalUsable(v)) return pyInt(v);
      if (role === 'each-signal') return undefined; // not used: see nothingToSignal
      throw signalError(v);
    case 'text':
      return strOfDate(v);
  }
}

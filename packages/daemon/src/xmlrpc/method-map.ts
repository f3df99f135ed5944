/**
 * supervisor's XML-RPC methods (rpcinterface.py, xmlrpc.py's system namespace) onto the call
 * pipeline: each method's shape (xmlrpc/shapes.ts) turns its positional params into the table's
 * named params, its aliases and methodSignature come from there, results take supervisor's
 * shapes, and the system namespace (listMethods, methodHelp, methodSignature, multicall) is
 * served here.
 */
import { Faults, RPCFault, ProcessStates, RUNNING_STATES, type MethodName } from '@tsupervisor/protocol';
import type { Invoke } from '../calls/pipeline.js';
import type { XmlRpcValue } from './codec.js';
import { coerce, PythonError, signalError, signalUsable } from './python-args.js';
import { XMLRPC_SHAPES, type SupervisorMethod, type XmlShape } from './shapes.js';

/**
 * What callMethod calls the table through: the pipeline's typed Invoke, or any function of a
 * method and its params (a test's).
 */
export type AnyInvoke = (method: MethodName, params: never) => Promise<unknown>;

/** A served name: the table's method it calls and its shape (an alias shares its target's). */
export interface Served {
  target: SupervisorMethod;
  shape: XmlShape<SupervisorMethod>;
}

const SUPERVISOR: Record<string, Served> = {};
/** Every supervisor.* name served (aliases included), with the method it calls and its shape. */
export const XMLRPC_SERVED: Readonly<Record<string, Readonly<Served>>> = SUPERVISOR;
for (const [target, shape] of Object.entries(XMLRPC_SHAPES) as Array<[SupervisorMethod, XmlShape<SupervisorMethod>]>) {
  for (const name of [target, ...(shape.aliases ?? [])]) SUPERVISOR[name] = { target, shape };
}

/** supervisor's methodSignature: [return type, param types…]. */
function typesOf(shape: XmlShape<SupervisorMethod>): readonly string[] {
  return [shape.returns, ...shape.params.map(([, type]) => type)];
}

const SYSTEM_TYPES: Record<string, readonly string[]> = {
  'system.listMethods': ['array'],
  'system.methodHelp': ['string', 'string'],
  'system.methodSignature': ['array', 'string'],
  'system.multicall': ['array', 'array'],
};

/** system.listMethods: supervisor 4.2.5's list, aliases included. */
export const XMLRPC_METHODS: readonly string[] = [...Object.keys(SUPERVISOR), ...Object.keys(SYSTEM_TYPES)].sort();

function signatureOf(name: unknown): readonly string[] {
  if (typeof name !== 'string') throw new RPCFault(Faults.SIGNATURE_UNSUPPORTED);
  const served = SUPERVISOR[name];
  const types = served ? typesOf(served.shape) : SYSTEM_TYPES[name];
  if (!types) throw new RPCFault(Faults.SIGNATURE_UNSUPPORTED);
  return types;
}

function help(name: unknown): string {
  const types = signatureOf(name);
  const s = SUPERVISOR[name as string];
  const lines = (s?.shape.params.map(([p]) => p) ?? (types.length > 1 ? ['name'] : [])).map((p, i) => `@param ${types[i + 1] ?? 'string'} ${p}`);
  return [` ${name as string}`, '', ...lines, `@return ${types[0]} result`, ''].join('\n        ');
}

/** One call, as supervisor's traverse(): UNKNOWN_METHOD, INCORRECT_PARAMETERS on a bad arity. */
export async function callMethod(method: string, params: XmlRpcValue[], anyInvoke: AnyInvoke): Promise<unknown> {
  const invoke = anyInvoke as Invoke;
  switch (method) {
    case 'system.listMethods':
      if (params.length !== 0) throw new RPCFault(Faults.INCORRECT_PARAMETERS);
      return [...XMLRPC_METHODS];
    case 'system.methodHelp':
      if (params.length !== 1) throw new RPCFault(Faults.INCORRECT_PARAMETERS);
      return help(params[0]);
    case 'system.methodSignature':
      if (params.length !== 1) throw new RPCFault(Faults.INCORRECT_PARAMETERS);
      return [...signatureOf(params[0])];
    case 'system.multicall':
      if (params.length !== 1) throw new RPCFault(Faults.INCORRECT_PARAMETERS);
      return multicall(params[0], invoke);
  }
  const served = SUPERVISOR[method];
  if (!served) throw new RPCFault(Faults.UNKNOWN_METHOD);
  const { target, shape } = served;
  if (params.length < shape.required || params.length > shape.params.length) throw new RPCFault(Faults.INCORRECT_PARAMETERS);
  const named: Record<string, unknown> = {};
  const order = shape.order ?? params.map((_, i) => i);
  for (const i of order) {
    if (i >= params.length) continue;
    const [name, , role] = shape.params[i]!;
    named[name] = coerce(role, params[i]!);
  }
  if (await nothingToSignal(target, shape, params, invoke)) return [];
  const typed = named as never;
  const value = shape.call ? await shape.call(typed, invoke) : await (invoke as (m: MethodName, p: unknown) => Promise<unknown>)(target, typed);
  return shape.result && !shape.call ? shape.result(value as never) : value;
}

/** supervisor's states in which a process is signalled (RUNNING_STATES: STARTING, RUNNING, BACKOFF). */
const SIGNALLED: ReadonlySet<number> = new Set(RUNNING_STATES.map((s) => ProcessStates[s]));

/**
 * signalProcessGroup / signalAllProcesses (an `each-signal` param) parse the signal for each
 * running process only: a signal they cannot use is a 500 when one is running, and an empty
 * result when none is.
 */
async function nothingToSignal(target: SupervisorMethod, shape: XmlShape<SupervisorMethod>, params: XmlRpcValue[], invoke: Invoke): Promise<boolean> {
  const at = shape.params.findIndex(([, , role]) => role === 'each-signal');
  if (at < 0) return false;
  const signal = params[at]!;
  if (signalUsable(signal)) return false;
  const all = target === 'supervisor.signalAllProcesses';
  const infos = await invoke('supervisor.getAllProcessInfo', {});
  const scope = all ? infos : infos.filter((i) => i.group === params[0]);
  if (!all && scope.length === 0) throw new RPCFault(Faults.BAD_NAME, String(params[0]));
  if (scope.some((i) => SIGNALLED.has(i.state))) throw signalError(signal);
  return true;
}

/**
 * supervisor's system.multicall: the calls in order, each result the bare value (not wrapped
 * in a one-item array) or a {faultCode, faultString} struct; an unexpected error is FAILED.
 */
async function multicall(calls: unknown, invoke: AnyInvoke): Promise<unknown[]> {
  if (!Array.isArray(calls)) throw new RPCFault(Faults.INCORRECT_PARAMETERS);
  const results: unknown[] = [];
  for (const call of calls) {
    try {
      const c = (call && typeof call === 'object' && !Array.isArray(call) ? call : {}) as Record<string, XmlRpcValue>;
      const name = c['methodName'];
      if (name === undefined || name === null) throw new RPCFault(Faults.INCORRECT_PARAMETERS, 'No methodName');
      if (name === 'system.multicall') throw new RPCFault(Faults.INCORRECT_PARAMETERS, 'Recursive system.multicall forbidden');
      const params = c['params'] ?? [];
      if (typeof name !== 'string' || !Array.isArray(params)) throw new RPCFault(Faults.INCORRECT_PARAMETERS);
      results.push(await callMethod(name, params, invoke));
    } catch (err) {
      if (err instanceof RPCFault) results.push({ faultCode: err.code, faultString: err.message });
      else if (err instanceof PythonError) results.push({ faultCode: Faults.FAILED, faultString: `FAILED: <class '${err.pyType}'>:${err.message}` });
      else results.push({ faultCode: Faults.FAILED, faultString: `FAILED: ${(err as Error)?.message ?? String(err)}` });
    }
  }
  return results;
}

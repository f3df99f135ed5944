/**
 * supervisor's XML-RPC methods (rpcinterface.py, xmlrpc.py's system namespace) onto the one
 * method table: positional params become the table's named params, results take supervisor's
 * shapes (tail → [bytes, offset, overflow], reloadConfig → [[added, changed, removed]]), and
 * the system namespace (listMethods, methodHelp, methodSignature, multicall) is served here.
 */
import { Faults, RPCFault, type MethodName } from '@tsupervisor/protocol';
import type { XmlRpcValue } from './codec.js';
import { coerce, PythonError, signalError, signalUsable, type Role } from './python-args.js';

/** Calls one method of the table; throws RPCFault for a fault, anything else for a 500. */
export type Invoke = (method: MethodName, params: Record<string, unknown>) => Promise<unknown>;

interface Signature {
  target: MethodName;
  /** Positional names, in the table's param names. */
  params: readonly string[];
  /** How many of them must be given (the rest have supervisor's defaults). */
  required: number;
  /** supervisor's methodSignature: [return type, param types…]. */
  types: readonly string[];
  result?: (value: unknown) => unknown;
  /** How supervisor's method uses each param (what another type makes it do), in params' order. */
  roles?: readonly Role[];
  /** The order in which supervisor's method gets to its params, when not params' order. */
  order?: readonly number[];
}

const tail = (value: unknown) => {
  const t = value as { bytes: string; offset: number; overflow: boolean };
  return [t.bytes, t.offset, t.overflow];
};

/**
 * getAllConfigInfo as supervisor returns it: None as 'none' (serverurl=AUTO is None there),
 * sorted by process name.
 */
const configInfo = (value: unknown) =>
  (value as Array<Record<string, unknown>>)
    .map((record) =>
      Object.fromEntries(Object.entries(record).map(([k, v]) => [k, v === null || (k === 'serverurl' && v === 'AUTO') ? 'none' : v])),
    )
    .sort((a, b) => (String(a['name']) < String(b['name']) ? -1 : String(a['name']) > String(b['name']) ? 1 : 0));


const sig = (target: MethodName, params: string[], required: number, types: string[], result?: Signature['result']): Signature => ({
  target,
  params,
  required,
  types,
  ...(result ? { result } : {}),
  ...(ROLES[target] ? { roles: ROLES[target] } : {}),
  ...(ORDER[target] ? { order: ORDER[target] } : {}),
});

const logRead = ['name', 'offset', 'length'];

/** Param roles of each method (python-args.ts); the aliases share their target's. */
const ROLES: Partial<Record<MethodName, readonly Role[]>> = {
  'supervisor.addProcessGroup': ['compared'],
  'supervisor.removeProcessGroup': ['group'],
  'supervisor.clearProcessLogs': ['namespec'],
  'supervisor.getProcessInfo': ['namespec'],
  'supervisor.readLog': ['int', 'int'],
  'supervisor.readProcessStdoutLog': ['namespec', 'int', 'int'],
  'supervisor.readProcessStderrLog': ['namespec', 'int', 'int'],
  'supervisor.tailProcessStdoutLog': ['namespec', 'int', 'int'],
  'supervisor.tailProcessStderrLog': ['namespec', 'int', 'int'],
  'supervisor.sendProcessStdin': ['namespec', 'chars'],
  'supervisor.sendRemoteCommEvent': ['text', 'text'],
  'supervisor.signalProcess': ['namespec', 'signal'],
  'supervisor.signalProcessGroup': ['group', 'each-signal'],
  'supervisor.signalAllProcesses': ['each-signal'],
  'supervisor.startProcess': ['namespec', 'truth'],
  'supervisor.startProcessGroup': ['group', 'truth'],
  'supervisor.startAllProcesses': ['truth'],
  'supervisor.stopProcess': ['namespec', 'truth'],
  'supervisor.stopProcessGroup': ['group', 'truth'],
  'supervisor.stopAllProcesses': ['truth'],
};
/** sendProcessStdin checks its chars before it looks the name up. */
const ORDER: Partial<Record<MethodName, readonly number[]>> = { 'supervisor.sendProcessStdin': [1, 0] };

const SUPERVISOR: Record<string, Signature> = {
  'supervisor.addProcessGroup': sig('supervisor.addProcessGroup', ['name'], 1, ['boolean', 'string']),
  'supervisor.clearAllProcessLogs': sig('supervisor.clearAllProcessLogs', [], 0, ['array']),
  'supervisor.clearLog': sig('supervisor.clearLog', [], 0, ['boolean']),
  'supervisor.clearProcessLog': sig('supervisor.clearProcessLogs', ['name'], 1, ['boolean', 'string']),
  'supervisor.clearProcessLogs': sig('supervisor.clearProcessLogs', ['name'], 1, ['boolean', 'string']),
  'supervisor.getAPIVersion': sig('supervisor.getAPIVersion', [], 0, ['string']),
  'supervisor.getAllConfigInfo': sig('supervisor.getAllConfigInfo', [], 0, ['array'], configInfo),
  'supervisor.getAllProcessInfo': sig('supervisor.getAllProcessInfo', [], 0, ['array']),
  'supervisor.getIdentification': sig('supervisor.getIdentification', [], 0, ['string']),
  'supervisor.getPID': sig('supervisor.getPID', [], 0, ['int']),
  'supervisor.getProcessInfo': sig('supervisor.getProcessInfo', ['name'], 1, ['struct', 'string']),
  'supervisor.getState': sig('supervisor.getState', [], 0, ['struct']),
  'supervisor.getSupervisorVersion': sig('supervisor.getSupervisorVersion', [], 0, ['string']),
  'supervisor.getVersion': sig('supervisor.getAPIVersion', [], 0, ['string']),
  'supervisor.readLog': sig('supervisor.readLog', ['offset', 'length'], 2, ['string', 'int', 'int']),
  'supervisor.readMainLog': sig('supervisor.readLog', ['offset', 'length'], 2, ['string', 'int', 'int']),
  'supervisor.readProcessLog': sig('supervisor.readProcessStdoutLog', logRead, 3, ['string', 'string', 'int', 'int']),
  'supervisor.readProcessStderrLog': sig('supervisor.readProcessStderrLog', logRead, 3, ['string', 'string', 'int', 'int']),
  'supervisor.readProcessStdoutLog': sig('supervisor.readProcessStdoutLog', logRead, 3, ['string', 'string', 'int', 'int']),
  'supervisor.reloadConfig': sig('supervisor.reloadConfig', [], 0, ['array'], (value) => {
    const r = value as { added: string[]; changed: string[]; removed: string[] };
    return [[r.added, r.changed, r.removed]];
  }),
  'supervisor.removeProcessGroup': sig('supervisor.removeProcessGroup', ['name'], 1, ['boolean', 'string']),
  'supervisor.restart': sig('supervisor.restart', [], 0, ['boolean']),
  'supervisor.sendProcessStdin': sig('supervisor.sendProcessStdin', ['name', 'chars'], 2, ['boolean', 'string', 'string']),
  'supervisor.sendRemoteCommEvent': sig('supervisor.sendRemoteCommEvent', ['type', 'data'], 2, ['boolean', 'string', 'string']),
  'supervisor.shutdown': sig('supervisor.shutdown', [], 0, ['boolean']),
  'supervisor.signalAllProcesses': sig('supervisor.signalAllProcesses', ['signal'], 1, ['array', 'string']),
  'supervisor.signalProcess': sig('supervisor.signalProcess', ['name', 'signal'], 2, ['boolean', 'string', 'string']),
  'supervisor.signalProcessGroup': sig('supervisor.signalProcessGroup', ['name', 'signal'], 2, ['array', 'string', 'string']),
  'supervisor.startAllProcesses': sig('supervisor.startAllProcesses', ['wait'], 0, ['array', 'boolean']),
  'supervisor.startProcess': sig('supervisor.startProcess', ['name', 'wait'], 1, ['boolean', 'string', 'boolean']),
  'supervisor.startProcessGroup': sig('supervisor.startProcessGroup', ['name', 'wait'], 1, ['array', 'string', 'boolean']),
  'supervisor.stopAllProcesses': sig('supervisor.stopAllProcesses', ['wait'], 0, ['array', 'boolean']),
  'supervisor.stopProcess': sig('supervisor.stopProcess', ['name', 'wait'], 1, ['boolean', 'string', 'boolean']),
  'supervisor.stopProcessGroup': sig('supervisor.stopProcessGroup', ['name', 'wait'], 1, ['array', 'string', 'boolean']),
  'supervisor.tailProcessLog': sig('supervisor.tailProcessStdoutLog', logRead, 3, ['array', 'string', 'int', 'int'], tail),
  'supervisor.tailProcessStderrLog': sig('supervisor.tailProcessStderrLog', logRead, 3, ['array', 'string', 'int', 'int'], tail),
  'supervisor.tailProcessStdoutLog': sig('supervisor.tailProcessStdoutLog', logRead, 3, ['array', 'string', 'int', 'int'], tail),
};

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
  const types = SUPERVISOR[name]?.types ?? SYSTEM_TYPES[name];
  if (!types) throw new RPCFault(Faults.SIGNATURE_UNSUPPORTED);
  return types;
}

function help(name: unknown): string {
  const types = signatureOf(name);
  const s = SUPERVISOR[name as string];
  const lines = (s?.params ?? (types.length > 1 ? ['name'] : [])).map((p, i) => `@param ${types[i + 1] ?? 'string'} ${p}`);
  return [` ${name as string}`, '', ...lines, `@return ${types[0]} result`, ''].join('\n        ');
}

/** One call, as supervisor's traverse(): UNKNOWN_METHOD, INCORRECT_PARAMETERS on a bad arity. */
export async function callMethod(method: string, params: XmlRpcValue[], invoke: Invoke): Promise<unknown> {
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
  const s = SUPERVISOR[method];
  if (!s) throw new RPCFault(Faults.UNKNOWN_METHOD);
  if (params.length < s.required || params.length > s.params.length) throw new RPCFault(Faults.INCORRECT_PARAMETERS);
  const named: Record<string, unknown> = {};
  const order = s.order ?? params.map((_, i) => i);
  for (const i of order) {
    if (i >= params.length) continue;
    const role = s.roles?.[i];
    named[s.params[i]!] = role ? coerce(role, params[i]!) : params[i];
  }
  if (await nothingToSignal(s, params, invoke)) return [];
  const value = await invoke(s.target, named);
  return s.result ? s.result(value) : value;
}

/** supervisor's states in which a process is signalled (RUNNING_STATES: STARTING, RUNNING, BACKOFF). */
const RUNNING_STATES = new Set([10, 20, 30]);

/**
 * signalProcessGroup / signalAllProcesses parse the signal for each running process only: a
 * signal they cannot use is a 500 when one is running, and an empty result when none is.
 */
async function nothingToSignal(s: Signature, params: XmlRpcValue[], invoke: Invoke): Promise<boolean> {
  const all = s.target === 'supervisor.signalAllProcesses';
  if (!all && s.target !== 'supervisor.signalProcessGroup') return false;
  const signal = params[all ? 0 : 1]!;
  if (signalUsable(signal)) return false;
  const infos = (await invoke('supervisor.getAllProcessInfo', {})) as Array<{ group: string; state: number }>;
  const scope = all ? infos : infos.filter((i) => i.group === params[0]);
  if (!all && scope.length === 0) throw new RPCFault(Faults.BAD_NAME, String(params[0]));
  if (scope.some((i) => RUNNING_STATES.has(i.state))) throw signalError(signal);
  return true;
}

/**
 * supervisor's system.multicall: the calls in order, each result the bare value (not wrapped
 * in a one-item array) or a {faultCode, faultString} struct; an unexpected error is FAILED.
 */
async function multicall(calls: unknown, invoke: Invoke): Promise<unknown[]> {
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

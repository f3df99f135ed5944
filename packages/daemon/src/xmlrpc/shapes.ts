/**
 * The XML-RPC shape of every supervisor.* method of the table (protocol's METHODS): supervisor's
 * positional params (named as the table names them, with supervisor's methodSignature type and
 * the role python-args.ts gives an argument of another type), how many are required, the return
 * type, its aliases, and how the table's result becomes supervisor's. It lives here, not in the
 * protocol package, because it is supervisor's wire, which only the daemon speaks; the mapped
 * type below keys it by the table and checks each entry against the method's params and result,
 * so a supervisor.* method without a shape, a param name the method does not have or a result
 * reshaping of the wrong type does not compile.
 */
import { Faults, RPCFault, type ConfigInfo, type ProcessInfo, type MethodName, type ParamsOf, type ResultOf } from '@tsupervisor/protocol';
import type { Invoke } from '../calls/pipeline.js';
import { supervisorLogPathsOf } from '../rpc/config-log-view.js';
import type { Role } from './python-args.js';

/** supervisor's methodSignature type names. */
export type XmlType = 'string' | 'int' | 'boolean' | 'array' | 'struct';

export type SupervisorMethod = Extract<MethodName, `supervisor.${string}`>;

/** One positional param: the table's name for it, its methodSignature type, its role. */
export type XmlParam<M extends MethodName> = readonly [name: keyof NonNullable<ParamsOf<M>> & string, type: XmlType, role: Role];

export interface XmlShape<M extends MethodName> {
  params: readonly XmlParam<M>[];
  /** How many params must be given (the rest have supervisor's defaults). */
  required: number;
  returns: XmlType;
  /** Other names supervisor serves the method under (same signature). */
  aliases?: readonly string[];
  /** The order in which supervisor's method gets to its params, when not params' order. */
  order?: readonly number[];
  /** supervisor's answer from the table's. */
  result?: (value: ResultOf<M>) => unknown;
  /** The call itself, when supervisor's method does more than the table's (default: invoke(M, params)). */
  call?: (params: NonNullable<ParamsOf<M>>, invoke: Invoke) => Promise<unknown>;
}

const tail = (t: ResultOf<'supervisor.tailProcessStdoutLog'>) => [t.bytes, t.offset, t.overflow];

/** Keys of the table's ConfigInfo that supervisor's getAllConfigInfo does not send. */
const NOT_IN_SUPERVISOR: ReadonlySet<string> = new Set(['autorestart', 'stopasgroup']);

/** getProcessInfo without tsupervisor's fields (depends_on, ready, health …): supervisor's struct. */
const supervisorInfo = (info: ProcessInfo) => {
  const {
    depends_on: _d,
    waiting_for: _w,
    dependency_error: _e,
    ready: _r,
    health: _h,
    health_failures: _f,
    status_text: _s,
    ...rest
  } = info;
  return rest;
};

/**
 * getAllConfigInfo as supervisor returns it: None as 'none' (serverurl=AUTO is None there), so
 * is a stderr log redirected to stdout (''); the log paths as supervisord has them (an AUTO log
 * of a group not added since the last reread is 'auto': rpc/config-log-view.ts); sorted by
 * process name.
 */
const configInfo = (infos: ConfigInfo[]) =>
  infos
    .map((info) =>
      Object.fromEntries(
        Object.entries({ ...info, ...supervisorLogPathsOf(info) })
          .filter(([k]) => !NOT_IN_SUPERVISOR.has(k))
          .map(([k, v]) => [k, v === null || (k === 'serverurl' && v === 'AUTO') || (k === 'stderr_logfile' && v === '') ? 'none' : v]),
      ),
    )
    .sort((a, b) => (String(a['name']) < String(b['name']) ? -1 : String(a['name']) > String(b['name']) ? 1 : 0));

/**
 * `group:` and `group:*` name the whole group to startProcess, stopProcess and signalProcess:
 * supervisor answers with its group method's array (one result per process); an unknown group
 * is BAD_NAME with the namespec as given.
 */
function wholeGroup(name: string): string | null {
  const colon = name.indexOf(':');
  if (colon < 0) return null;
  const process = name.slice(colon + 1);
  return process === '' || process === '*' ? name.slice(0, colon) : null;
}
async function asGroup(name: string, call: (group: string) => Promise<unknown>): Promise<unknown> {
  try {
    return await call(name.slice(0, name.indexOf(':')));
  } catch (err) {
    if (err instanceof RPCFault && err.code === Faults.BAD_NAME) throw new RPCFault(Faults.BAD_NAME, name);
    throw err;
  }
}

/**
 * A read of a log the process does not have (NONE, a stderr redirected to stdout): supervisor's
 * fault is NO_FILE with its logfile, None, so no detail; the table's names the process.
 */
async function read(p: { name: string; offset: number; length: number }, reading: () => Promise<string>): Promise<string> {
  try {
    return await reading();
  } catch (err) {
    if (err instanceof RPCFault && err.code === Faults.NO_FILE && err.detail === p.name.slice(p.name.indexOf(':') + 1)) throw new RPCFault(Faults.NO_FILE);
    throw err;
  }
}

const namespec = ['name', 'string', 'namespec'] as const;
const group = ['name', 'string', 'group'] as const;
const wait = ['wait', 'boolean', 'truth'] as const;
const logRead = [namespec, ['offset', 'int', 'int'], ['length', 'int', 'int']] as const;

export const XMLRPC_SHAPES: { [M in SupervisorMethod]: XmlShape<M> } = {
  'supervisor.getAPIVersion': { params: [], required: 0, returns: 'string', aliases: ['supervisor.getVersion'] },
  'supervisor.getSupervisorVersion': { params: [], required: 0, returns: 'string' },
  'supervisor.getIdentification': { params: [], required: 0, returns: 'string' },
  'supervisor.getState': { params: [], required: 0, returns: 'struct' },
  'supervisor.getPID': { params: [], required: 0, returns: 'int' },
  'supervisor.readLog': { params: [['offset', 'int', 'int'], ['length', 'int', 'int']], required: 2, returns: 'string', aliases: ['supervisor.readMainLog'] },
  'supervisor.clearLog': { params: [], required: 0, returns: 'boolean' },
  'supervisor.shutdown': { params: [], required: 0, returns: 'boolean' },
  'supervisor.restart': { params: [], required: 0, returns: 'boolean' },
  'supervisor.reloadConfig': { params: [], required: 0, returns: 'array', result: (r) => [[r.added, r.changed, r.removed]] },
  'supervisor.addProcessGroup': { params: [['name', 'string', 'compared']], required: 1, returns: 'boolean' },
  'supervisor.removeProcessGroup': { params: [group], required: 1, returns: 'boolean' },
  'supervisor.startProcess': {
    params: [namespec, wait],
    required: 1,
    returns: 'boolean',
    call: (p, invoke) => {
      if (wholeGroup(p.name) === null) return invoke('supervisor.startProcess', p);
      return asGroup(p.name, (name) => invoke('supervisor.startProcessGroup', { ...p, name }));
    },
  },
  'supervisor.startProcessGroup': { params: [group, wait], required: 1, returns: 'array' },
  'supervisor.startAllProcesses': { params: [wait], required: 0, returns: 'array' },
  'supervisor.stopProcess': {
    params: [namespec, wait],
    required: 1,
    returns: 'boolean',
    call: (p, invoke) => {
      if (wholeGroup(p.name) === null) return invoke('supervisor.stopProcess', p);
      return asGroup(p.name, (name) => invoke('supervisor.stopProcessGroup', { ...p, name }));
    },
  },
  'supervisor.stopProcessGroup': { params: [group, wait], required: 1, returns: 'array' },
  'supervisor.stopAllProcesses': { params: [wait], required: 0, returns: 'array' },
  'supervisor.signalProcess': {
    params: [namespec, ['signal', 'string', 'signal']],
    required: 2,
    returns: 'boolean',
    call: (p, invoke) => {
      if (wholeGroup(p.name) === null) return invoke('supervisor.signalProcess', p);
      return asGroup(p.name, (name) => invoke('supervisor.signalProcessGroup', { ...p, name }));
    },
  },
  'supervisor.signalProcessGroup': { params: [group, ['signal', 'string', 'each-signal']], required: 2, returns: 'array' },
  'supervisor.signalAllProcesses': { params: [['signal', 'string', 'each-signal']], required: 1, returns: 'array' },
  'supervisor.getAllConfigInfo': { params: [], required: 0, returns: 'array', result: configInfo },
  'supervisor.getProcessInfo': { params: [namespec], required: 1, returns: 'struct', result: (info) => supervisorInfo(info) },
  'supervisor.getAllProcessInfo': { params: [], required: 0, returns: 'array', result: (infos) => infos.map(supervisorInfo) },
  'supervisor.readProcessStdoutLog': {
    params: logRead,
    required: 3,
    returns: 'string',
    aliases: ['supervisor.readProcessLog'],
    call: (p, invoke) => read(p, () => invoke('supervisor.readProcessStdoutLog', p)),
  },
  'supervisor.readProcessStderrLog': { params: logRead, required: 3, returns: 'string', call: (p, invoke) => read(p, () => invoke('supervisor.readProcessStderrLog', p)) },
  'supervisor.tailProcessStdoutLog': { params: logRead, required: 3, returns: 'array', result: tail, aliases: ['supervisor.tailProcessLog'] },
  'supervisor.tailProcessStderrLog': { params: logRead, required: 3, returns: 'array', result: tail },
  'supervisor.clearProcessLogs': { params: [namespec], required: 1, returns: 'boolean', aliases: ['supervisor.clearProcessLog'] },
  'supervisor.clearAllProcessLogs': { params: [], required: 0, returns: 'array' },
  // sendProcessStdin checks its chars before it looks the name up
  'supervisor.sendProcessStdin': { params: [namespec, ['chars', 'string', 'chars']], required: 2, returns: 'boolean', order: [1, 0] },
  'supervisor.sendRemoteCommEvent': { params: [['type', 'string', 'text'], ['data', 'string', 'text']], required: 2, returns: 'boolean' },
};

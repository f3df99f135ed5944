/**
 * The one method table. Every method the daemon serves is one descriptor value here: its
 * name (the key), its params (always a by-name object) with the kind of each, checked before
 * any handler runs, its result type, and whether it changes state (the audit trail). Every
 * runtime list (METHOD_NAMES, STATE_CHANGING, the parameter checks) and every type (Methods,
 * ParamsOf, ResultOf, Handlers: a missing handler is a compile error) is derived from METHODS,
 * and the ctl calls through a client typed from it. The XML-RPC shape of each supervisor.*
 * method (positional order, methodSignature, …) is supervisor's wire, known to the daemon only:
 * packages/daemon/src/xmlrpc/shapes.ts, keyed by these names and checked against these types.
 *
 * Names are supervisor's XML-RPC names (`supervisor.startProcess` …); methods beyond
 * supervisor's API live under `tsupervisor.`.
 */
import type {
  ConfigInfo,
  LogChannel,
  ProcessInfo,
  ProcessResult,
  ReloadResult,
  RollingResult,
  SupervisorState,
  TailResult,
  UpdatePlan,
  UpdateResult,
} from './types.js';
import type { StatsResult } from './stats.js';
import { Faults, RPCFault } from './faults.js';

/** What a parameter must be (`string|number`: a signal, its name or its integer number). */
export type ParamKind = 'string' | 'number' | 'boolean' | 'string[]' | 'number[]' | 'string|number';
export interface ParamSpec {
  kind: ParamKind;
  optional?: boolean;
}

type KindOf<T> = [T] extends [string[]] ? 'string[]' : [T] extends [number[]] ? 'number[]' : [T] extends [string | number] ? ([T] extends [string] ? 'string' : [T] extends [number] ? 'number' : 'string|number') : [T] extends [boolean] ? 'boolean' : never;
type OptionalKeys<P> = { [K in keyof P]-?: undefined extends P[K] ? K : never }[keyof P];
/** The params spec a params type needs: one entry per key, its kind, `optional` iff it is. */
export type ParamsSpec<P> = [NonNullable<P>] extends [Record<string, never>]
  ? Record<string, never>
  : { [K in keyof NonNullable<P>]-?: { kind: KindOf<Exclude<NonNullable<P>[K], undefined>> } & (K extends OptionalKeys<NonNullable<P>> ? { optional: true } : { optional?: false }) };

/** One method: P and R are carried as types only; the rest is what the daemon checks at run time. */
export interface MethodDescriptor<P, R> {
  readonly params: ParamsSpec<P>;
  /** The daemon writes these to the audit trail with their caller (rpc/audit.ts). */
  readonly changesState: boolean;
  /** A check beyond the kinds (may throw an RPCFault), after them. */
  readonly check?: (params: NonNullable<P>) => void;
  /** Phantom fields: never set, they carry the types. */
  readonly __params?: P;
  readonly __result?: R;
}

export function defineMethod<P, R>(d: { params: ParamsSpec<P>; changesState?: boolean; check?: (params: NonNullable<P>) => void }): MethodDescriptor<P, R> {
  return { params: d.params, changesState: d.changesState ?? false, ...(d.check ? { check: d.check } : {}) };
}

type NoParams = Record<string, never> | undefined;
interface Name { name: string }
interface Wait { wait?: boolean }
interface LogRead { name: string; offset: number; length: number }
interface Signal { signal: string | number }
type Names = { names?: string[] };

const none = {} as Record<string, never>;
const name = { kind: 'string' } as const;
const wait = { kind: 'boolean', optional: true } as const;
const signal = { kind: 'string|number' } as const;
const logRead = { name, offset: { kind: 'number' }, length: { kind: 'number' } } as const;
const names = { names: { kind: 'string[]', optional: true } } as const;

/** Reads (no change of state). */
const get = <R>() => defineMethod<NoParams, R>({ params: none });
/** Changes state. */
const act = <P, R>(params: ParamsSpec<P>) => defineMethod<P, R>({ params, changesState: true });

export const METHODS = {
  'supervisor.getAPIVersion': get<string>(),
  'supervisor.getSupervisorVersion': get<string>(),
  'supervisor.getIdentification': get<string>(),
  'supervisor.getState': get<SupervisorState>(),
  'supervisor.getPID': get<number>(),
  'supervisor.readLog': defineMethod<{ offset: number; length: number }, string>({ params: { offset: { kind: 'number' }, length: { kind: 'number' } } }),
  'supervisor.clearLog': act<NoParams, boolean>(none),
  'supervisor.shutdown': act<NoParams, boolean>(none),
  'supervisor.restart': act<NoParams, boolean>(none),
  'supervisor.reloadConfig': act<NoParams, ReloadResult>(none),
  'supervisor.addProcessGroup': act<Name, boolean>({ name }),
  'supervisor.removeProcessGroup': act<Name, boolean>({ name }),
  'supervisor.startProcess': act<Name & Wait, boolean>({ name, wait }),
  'supervisor.startProcessGroup': act<Name & Wait, ProcessResult[]>({ name, wait }),
  'supervisor.startAllProcesses': act<Wait | undefined, ProcessResult[]>({ wait }),
  'supervisor.stopProcess': act<Name & Wait, boolean>({ name, wait }),
  'supervisor.stopProcessGroup': act<Name & Wait, ProcessResult[]>({ name, wait }),
  'supervisor.stopAllProcesses': act<Wait | undefined, ProcessResult[]>({ wait }),
  'supervisor.signalProcess': act<Name & Signal, boolean>({ name, signal }),
  'supervisor.signalProcessGroup': act<Name & Signal, ProcessResult[]>({ name, signal }),
  'supervisor.signalAllProcesses': act<Signal, ProcessResult[]>({ signal }),
  'supervisor.getAllConfigInfo': get<ConfigInfo[]>(),
  'supervisor.getProcessInfo': defineMethod<Name, ProcessInfo>({ params: { name } }),
  'supervisor.getAllProcessInfo': get<ProcessInfo[]>(),
  'supervisor.readProcessStdoutLog': defineMethod<LogRead, string>({ params: logRead }),
  'supervisor.readProcessStderrLog': defineMethod<LogRead, string>({ params: logRead }),
  'supervisor.tailProcessStdoutLog': defineMethod<LogRead, TailResult>({ params: logRead }),
  'supervisor.tailProcessStderrLog': defineMethod<LogRead, TailResult>({ params: logRead }),
  'supervisor.clearProcessLogs': act<Name, boolean>({ name }),
  'supervisor.clearAllProcessLogs': act<NoParams, ProcessResult[]>(none),
  'supervisor.sendProcessStdin': act<Name & { chars: string }, boolean>({ name, chars: { kind: 'string' } }),
  'supervisor.sendRemoteCommEvent': act<{ type: string; data: string }, boolean>({ type: { kind: 'string' }, data: { kind: 'string' } }),
  'system.listMethods': get<string[]>(),

  /**
   * `reexec` (issue 14): check that the installed daemon code and the configuration load, then
   * execute the daemon again in the same process, its programs running on. Answers before the
   * exec; a refusal is CANT_REREAD with the reason, and nothing changed.
   */
  'tsupervisor.reexec': act<NoParams, boolean>(none),
  /** Server-side `update`: reread, then remove, replace and add groups; `names` limits it. */
  'tsupervisor.update': act<Names, UpdateResult>(names),
  /** `update --dry-run` / `reread -v`: reread, then say per process what update would do. */
  'tsupervisor.planUpdate': act<Names, UpdatePlan>(names),
  /**
   * `restart --rolling`: replace the named processes one at a time (stop, start, wait until
   * RUNNING) and stop at the first replacement that fails, leaving the rest running.
   */
  'tsupervisor.rollingRestart': act<{ names: string[] }, RollingResult>({ names: { kind: 'string[]' } }),
  /**
   * Follow logs: the daemon pushes `tsupervisor.log` notifications on this connection for
   * every chunk written to the named processes' logs (names as in `tail`: `g:*`, `name`).
   * `main` follows the daemon's own log. Returns the namespecs actually followed.
   * With `head: N`, each log's last N bytes come first (a notification with `head: true`), then
   * every chunk logged after them: the join is by position in the file, so each byte comes once,
   * in order, all of these before the answer. With one log and no file, NO_FILE.
   * `from` (with `head`) resumes: one position per followed log, in the order of the answer
   * (the `pos` of the last chunk received; -1: none), where the log goes on instead of a head
   * (a `tail -f` reconnecting after a `reexec`).
   */
  'tsupervisor.followLogs': defineMethod<{ names: string[]; channel: LogChannel; main?: boolean; head?: number; from?: number[] }, string[]>({
    params: {
      names: { kind: 'string[]' },
      channel: { kind: 'string' },
      main: { kind: 'boolean', optional: true },
      head: { kind: 'number', optional: true },
      from: { kind: 'number[]', optional: true },
    },
    check: ({ channel }) => {
      if (channel !== 'stdout' && channel !== 'stderr') throw new RPCFault(Faults.BAD_ARGUMENTS, `channel must be stdout or stderr`);
    },
  }),
  /**
   * Subscribe this connection to `tsupervisor.event` notifications of these event types. With
   * `after` (the serial of the last event received), the recent events it has not seen come
   * first (an `events` client reconnecting after a `reexec`).
   */
  'tsupervisor.subscribeEvents': defineMethod<{ types: string[]; after?: number }, boolean>({
    params: { types: { kind: 'string[]' }, after: { kind: 'number', optional: true } },
  }),
  /**
   * The live views' figures (`top`, the web page): per process its tree's CPU seconds and
   * resident bytes, readiness and spawns, and each fcgi socket's accept queue, read from the
   * same code as /metrics. A client asks once a second at most; states come from events.
   */
  'tsupervisor.processStats': get<StatsResult>(),
};

type Table = typeof METHODS;
export type MethodName = keyof Table;
type ParamsIn<D> = D extends MethodDescriptor<infer P, infer _R> ? P : never;
type ResultIn<D> = D extends MethodDescriptor<infer _P, infer R> ? R : never;
/** Every method's params and result types, as declared by its descriptor. */
export type Methods = { [M in MethodName]: { params: ParamsIn<Table[M]>; result: ResultIn<Table[M]> } };
export type ParamsOf<M extends MethodName> = Methods[M]['params'];
export type ResultOf<M extends MethodName> = Methods[M]['result'];

/** A complete handler object: the daemon must implement every method of the table. */
export type Handlers<Context = void> = {
  [M in MethodName]: (params: NonNullable<ParamsOf<M>>, context: Context) => ResultOf<M> | Promise<ResultOf<M>>;
};

export const METHOD_NAMES = Object.keys(METHODS) as MethodName[];

/** Methods that change state: the daemon logs the caller's uid for these. */
export const STATE_CHANGING: ReadonlySet<MethodName> = new Set(METHOD_NAMES.filter((m) => METHODS[m].changesState));

export function isMethodName(method: string): method is MethodName {
  return Object.prototype.hasOwnProperty.call(METHODS, method);
}

function matches(kind: ParamKind, value: unknown): boolean {
  switch (kind) {
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'string[]':
      return Array.isArray(value) && value.every((v) => typeof v === 'string');
    case 'number[]':
      return Array.isArray(value) && value.every((v) => typeof v === 'number' && Number.isFinite(v));
    case 'string|number':
      return typeof value === 'string' || (typeof value === 'number' && Number.isInteger(value));
  }
}

/** INCORRECT_PARAMETERS naming the first parameter of a wrong kind, then the method's own check. */
export function validateParams(method: MethodName, params: Record<string, unknown>): void {
  const d = METHODS[method] as MethodDescriptor<unknown, unknown>;
  for (const [key, { kind, optional }] of Object.entries(d.params as Record<string, ParamSpec>)) {
    const value = params[key];
    if (value === undefined && optional) continue;
    if (!matches(kind, value)) {
      throw new RPCFault(Faults.INCORRECT_PARAMETERS, `${method}: parameter '${key}' must be ${kind}`);
    }
  }
  d.check?.(params as never);
}

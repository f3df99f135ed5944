/**
 * The one method table. Every method the daemon serves is declared here once, with its params
 * (always a by-name object) and its result; the daemon implements a `Handlers` object typed
 * from it (a missing method is a compile error) and the ctl calls through a client typed from it.
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

type NoParams = Record<string, never> | undefined;

interface Name { name: string }
interface Wait { wait?: boolean }
interface LogRead { name: string; offset: number; length: number }

export interface Methods {
  'supervisor.getAPIVersion': { params: NoParams; result: string };
  'supervisor.getSupervisorVersion': { params: NoParams; result: string };
  'supervisor.getIdentification': { params: NoParams; result: string };
  'supervisor.getState': { params: NoParams; result: SupervisorState };
  'supervisor.getPID': { params: NoParams; result: number };
  'supervisor.readLog': { params: { offset: number; length: number }; result: string };
  'supervisor.clearLog': { params: NoParams; result: boolean };
  'supervisor.shutdown': { params: NoParams; result: boolean };
  'supervisor.restart': { params: NoParams; result: boolean };
  'supervisor.reloadConfig': { params: NoParams; result: ReloadResult };
  'supervisor.addProcessGroup': { params: Name; result: boolean };
  'supervisor.removeProcessGroup': { params: Name; result: boolean };
  'supervisor.startProcess': { params: Name & Wait; result: boolean };
  'supervisor.startProcessGroup': { params: Name & Wait; result: ProcessResult[] };
  'supervisor.startAllProcesses': { params: Wait | undefined; result: ProcessResult[] };
  'supervisor.stopProcess': { params: Name & Wait; result: boolean };
  'supervisor.stopProcessGroup': { params: Name & Wait; result: ProcessResult[] };
  'supervisor.stopAllProcesses': { params: Wait | undefined; result: ProcessResult[] };
  'supervisor.signalProcess': { params: Name & { signal: string | number }; result: boolean };
  'supervisor.signalProcessGroup': { params: Name & { signal: string | number }; result: ProcessResult[] };
  'supervisor.signalAllProcesses': { params: { signal: string | number }; result: ProcessResult[] };
  'supervisor.getAllConfigInfo': { params: NoParams; result: ConfigInfo[] };
  'supervisor.getProcessInfo': { params: Name; result: ProcessInfo };
  'supervisor.getAllProcessInfo': { params: NoParams; result: ProcessInfo[] };
  'supervisor.readProcessStdoutLog': { params: LogRead; result: string };
  'supervisor.readProcessStderrLog': { params: LogRead; result: string };
  'supervisor.tailProcessStdoutLog': { params: LogRead; result: TailResult };
  'supervisor.tailProcessStderrLog': { params: LogRead; result: TailResult };
  'supervisor.clearProcessLogs': { params: Name; result: boolean };
  'supervisor.clearAllProcessLogs': { params: NoParams; result: ProcessResult[] };
  'supervisor.sendProcessStdin': { params: Name & { chars: string }; result: boolean };
  'supervisor.sendRemoteCommEvent': { params: { type: string; data: string }; result: boolean };
  'system.listMethods': { params: NoParams; result: string[] };

  /** Server-side `update`: reread, then remove, replace and add groups; `names` limits it. */
  'tsupervisor.update': { params: { names?: string[] }; result: UpdateResult };
  /** `update --dry-run` / `reread -v`: reread, then say per process what update would do. */
  'tsupervisor.planUpdate': { params: { names?: string[] }; result: UpdatePlan };
  /**
   * `restart --rolling`: replace the named processes one at a time (stop, start, wait until
   * RUNNING) and stop at the first replacement that fails, leaving the rest running.
   */
  'tsupervisor.rollingRestart': { params: { names: string[] }; result: RollingResult };
  /**
   * Follow logs: the daemon pushes `tsupervisor.log` notifications on this connection for
   * every chunk written to the named processes' logs (names as in `tail`: `g:*`, `name`).
   * `main` follows the daemon's own log. Returns the namespecs actually followed.
   * With `head: N`, each log's last N bytes come first (a notification with `head: true`), then
   * every chunk logged after them: the join is by position in the file, so each byte comes once,
   * in order, all of these before the answer. With one log and no file, NO_FILE.
   */
  'tsupervisor.followLogs': {
    params: { names: string[]; channel: LogChannel; main?: boolean; head?: number };
    result: string[];
  };
  /** Subscribe this connection to `tsupervisor.event` notifications of these event types. */
  'tsupervisor.subscribeEvents': { params: { types: string[] }; result: boolean };
}

export type MethodName = keyof Methods;
export type ParamsOf<M extends MethodName> = Methods[M]['params'];
export type ResultOf<M extends MethodName> = Methods[M]['result'];

/** A complete handler object: the daemon must implement every method of the table. */
export type Handlers<Context = void> = {
  [M in MethodName]: (params: NonNullable<ParamsOf<M>>, context: Context) => ResultOf<M> | Promise<ResultOf<M>>;
};

/** Runtime list of method names, checked against the table at compile time. */
const methodNames: Record<MethodName, true> = {
  'supervisor.getAPIVersion': true,
  'supervisor.getSupervisorVersion': true,
  'supervisor.getIdentification': true,
  'supervisor.getState': true,
  'supervisor.getPID': true,
  'supervisor.readLog': true,
  'supervisor.clearLog': true,
  'supervisor.shutdown': true,
  'supervisor.restart': true,
  'supervisor.reloadConfig': true,
  'supervisor.addProcessGroup': true,
  'supervisor.removeProcessGroup': true,
  'supervisor.startProcess': true,
  'supervisor.startProcessGroup': true,
  'supervisor.startAllProcesses': true,
  'supervisor.stopProcess': true,
  'supervisor.stopProcessGroup': true,
  'supervisor.stopAllProcesses': true,
  'supervisor.signalProcess': true,
  'supervisor.signalProcessGroup': true,
  'supervisor.signalAllProcesses': true,
  'supervisor.getAllConfigInfo': true,
  'supervisor.getProcessInfo': true,
  'supervisor.getAllProcessInfo': true,
  'supervisor.readProcessStdoutLog': true,
  'supervisor.readProcessStderrLog': true,
  'supervisor.tailProcessStdoutLog': true,
  'supervisor.tailProcessStderrLog': true,
  'supervisor.clearProcessLogs': true,
  'supervisor.clearAllProcessLogs': true,
  'supervisor.sendProcessStdin': true,
  'supervisor.sendRemoteCommEvent': true,
  'system.listMethods': true,
  'tsupervisor.update': true,
  'tsupervisor.planUpdate': true,
  'tsupervisor.rollingRestart': true,
  'tsupervisor.followLogs': true,
  'tsupervisor.subscribeEvents': true,
};
export const METHOD_NAMES = Object.keys(methodNames) as MethodName[];

/** Methods that change state: the daemon logs the caller's uid for these. */
export const STATE_CHANGING: ReadonlySet<MethodName> = new Set<MethodName>([
  'supervisor.clearLog',
  'supervisor.shutdown',
  'supervisor.restart',
  'supervisor.reloadConfig',
  'supervisor.addProcessGroup',
  'supervisor.removeProcessGroup',
  'supervisor.startProcess',
  'supervisor.startProcessGroup',
  'supervisor.startAllProcesses',
  'supervisor.stopProcess',
  'supervisor.stopProcessGroup',
  'supervisor.stopAllProcesses',
  'supervisor.signalProcess',
  'supervisor.signalProcessGroup',
  'supervisor.signalAllProcesses',
  'supervisor.clearProcessLogs',
  'supervisor.clearAllProcessLogs',
  'supervisor.sendProcessStdin',
  'supervisor.sendRemoteCommEvent',
  'tsupervisor.update',
  'tsupervisor.planUpdate',
  'tsupervisor.rollingRestart',
]);

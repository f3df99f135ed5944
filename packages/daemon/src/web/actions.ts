/**
 * What a link of the status page does (supervisor/web.py's make_callback), through the same
 * dispatcher as every RPC call (credentials, audit trail). Returns the message the page shows
 * after the redirect, with supervisor's words; null for an action it does not know or a process
 * action without a processname (supervisord answers both with a 500).
 */
import { Faults, RPCFault } from '@tsupervisor/protocol';
import type { Invoke } from '../calls/pipeline.js';
import { ctime } from './status-page.js';

/** supervisor's words for the faults of a start. */
const START_FAULTS: Record<number, string> = {
  [Faults.NO_FILE]: 'no such file',
  [Faults.NOT_EXECUTABLE]: 'file not executable',
  [Faults.ALREADY_STARTED]: 'already started',
  [Faults.SPAWN_ERROR]: 'spawn error',
  [Faults.ABNORMAL_TERMINATION]: 'abnormal termination',
};

function unexpected(err: RPCFault): string {
  return `unexpected rpc fault [${err.code}] ${err.message}`;
}

/** Runs `call`; an RPC fault becomes `onFault(fault)`, anything else is thrown on. */
async function settle(call: Promise<unknown>, onFault: (err: RPCFault) => string | null): Promise<string | null> {
  try {
    await call;
    return null;
  } catch (err) {
    if (err instanceof RPCFault) return onFault(err);
    throw err;
  }
}

export async function performAction(invoke: Invoke, action: string, namespec: string | null, now: () => Date = () => new Date()): Promise<string | null> {
  switch (action) {
    case 'refresh':
      return `Page refreshed at ${ctime(now())}`;
    case 'stopall':
      await invoke('supervisor.stopAllProcesses', { wait: true });
      return `All stopped at ${ctime(now())}`;
    case 'restartall':
      await invoke('supervisor.stopAllProcesses', { wait: true });
      await invoke('supervisor.startAllProcesses', { wait: true });
      return `All restarted at ${ctime(now())}`;
  }
  // no (or an empty) processname: supervisor's make_callback raises ValueError, a 500
  if (!namespec) return null;
  const name = { name: namespec };
  try {
    await invoke('supervisor.getProcessInfo', name);
  } catch (err) {
    if (err instanceof RPCFault && err.code === Faults.BAD_NAME) return `No such process named ${namespec}`;
    throw err;
  }
  switch (action) {
    case 'start': {
      const fault = await settle(invoke('supervisor.startProcess', { ...name, wait: true }), (err) => START_FAULTS[err.code] ?? unexpected(err));
      return fault === null ? `Process ${namespec} started` : `ERROR: Process ${namespec}: ${fault}`;
    }
    case 'stop': {
      // every fault, NOT_RUNNING too: `unexpected rpc fault [70] NOT_RUNNING: name`
      const fault = await settle(invoke('supervisor.stopProcess', { ...name, wait: true }), unexpected);
      return fault ?? `Process ${namespec} stopped`;
    }
    case 'restart':
      // supervisor's system.multicall of stop and start: a fault of either is not reported
      await settle(invoke('supervisor.stopProcess', { ...name, wait: true }), () => null);
      await settle(invoke('supervisor.startProcess', { ...name, wait: true }), () => null);
      return `Process ${namespec} restarted`;
    case 'clearlog': {
      const fault = await settle(invoke('supervisor.clearProcessLogs', name), unexpected);
      return fault ?? `Log for ${namespec} cleared`;
    }
    default:
      return null;
  }
}

/** tail.html's text: the last 1,024 bytes of the stdout log, or supervisor's words for a fault. */
export async function tailText(invoke: Invoke, namespec: string | null): Promise<string> {
  if (!namespec) return 'No process name found';
  try {
    return (await invoke('supervisor.readProcessStdoutLog', { name: namespec, offset: -1024, length: 0 })) as string;
  } catch (err) {
    if (!(err instanceof RPCFault)) throw err;
    if (err.code === Faults.NO_FILE) return `No file for ${namespec}`;
    return `ERROR: ${unexpected(err)}`;
  }
}

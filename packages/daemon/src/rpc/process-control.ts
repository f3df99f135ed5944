/** start / stop / signal of one process, a group or all, with supervisor's faults (§7). */
import { Faults, RPCFault, type ProcessResult, SIGNALLABLE_STATES, parseSignal } from '@tsupervisor/protocol';
import type { Handlers } from '@tsupervisor/protocol';
import type { Connection } from '@tsupervisor/protocol/server';
import type { StartGate } from '../process/start-gate.js';
import type { Subprocess } from '../process/subprocess.js';
import { isRunningState, isStoppable, isStoppedState } from '../process/transition.js';
import type { Supervisor } from '../supervisor.js';

type ControlHandlers = Pick<
  Handlers<Connection>,
  | 'supervisor.startProcess'
  | 'supervisor.startProcessGroup'
  | 'supervisor.startAllProcesses'
  | 'supervisor.stopProcess'
  | 'supervisor.stopProcessGroup'
  | 'supervisor.stopAllProcesses'
  | 'supervisor.signalProcess'
  | 'supervisor.signalProcessGroup'
  | 'supervisor.signalAllProcesses'
>;

/**
 * Run `action` for each process that `wanted` selects; faults become result entries. The order
 * of the results is supervisor's make_allfunc: the actions that finish at once (a fault, a
 * startsecs=0 start) in process order, then the ones that had to wait, as they finish (those
 * finishing together in process order). "Together" is within BATCH_MS: supervisord reaps every
 * child that has exited in one pass of its loop, so processes that die on the same signal are
 * almost always reported in process order; here each exit is its own SIGCHLD, a few ms apart.
 */
const BATCH_MS = 10;

async function forEach(
  processes: Subprocess[],
  wanted: (p: Subprocess) => boolean,
  action: (p: Subprocess) => Promise<unknown>,
): Promise<ProcessResult[]> {
  const selected = processes.filter(wanted);
  const results: ProcessResult[] = [];
  const settled = new Map<number, ProcessResult>();
  const failure: { error?: unknown; failed: boolean } = { failed: false };
  const runs = selected.map(async (p, i) => {
    try {
      await action(p);
      settled.set(i, { name: p.name, group: p.groupName, status: Faults.SUCCESS, description: 'OK' });
    } catch (err) {
      if (!(err instanceof RPCFault)) {
        if (!failure.failed) Object.assign(failure, { failed: true, error: err });
      } else settled.set(i, { name: p.name, group: p.groupName, status: err.code, description: err.message });
    }
  });
  const flush = () => {
    for (const i of [...settled.keys()].sort((a, b) => a - b)) results.push(settled.get(i)!);
    settled.clear();
  };
  // What settled within this turn (the microtasks after the synchronous calls) came at once.
  await new Promise<void>((resolve) => setImmediate(resolve));
  flush();
  let pending = selected.length - results.length;
  if (pending > 0 && !failure.failed) {
    await new Promise<void>((resolve) => {
      let scheduled = false;
      for (const run of runs) {
        void run.then(() => {
          if (scheduled) return;
          scheduled = true;
          // Batch what finishes within BATCH_MS, then report it in process order.
          setTimeout(() => {
            scheduled = false;
            const before = results.length;
            flush();
            pending -= results.length - before;
            if (pending <= 0 || failure.failed) resolve();
          }, BATCH_MS);
        });
      }
    });
  }
  await Promise.all(runs);
  if (failure.failed) throw failure.error;
  return results;
}

/** `gate`: with depends_on=, what `p` depends on comes up first and `p` spawns once it is there. */
export async function startOne(p: Subprocess, wait: boolean, gate?: StartGate): Promise<true> {
  p.checkCommand();
  if (isRunningState(p.state)) throw new RPCFault(Faults.ALREADY_STARTED, p.namespec);
  if (p.state === 'UNKNOWN') throw new RPCFault(Faults.FAILED, `${p.namespec} is in an unknown process state`);
  const held = gate?.request(p) ?? null;
  if (!held) p.start();
  else if (wait) await held;
  else held.catch(() => {});
  if (!wait) return true;
  let checks = 0;
  try {
    return await p.waitFor(() => {
      checks += 1;
      if (p.spawnerr) throw new RPCFault(Faults.SPAWN_ERROR, p.namespec);
      if (p.state === 'RUNNING') return true as const;
      if (p.state !== 'STARTING') throw new RPCFault(Faults.ABNORMAL_TERMINATION, p.namespec);
      return undefined;
    });
  } catch (err) {
    // supervisord looks at a waiting start every 50 ms (onwait.delay): a start that fails while
    // it waits is answered that much later (after a concurrent stop or signal has been).
    if (err instanceof RPCFault && checks > 1) await new Promise((r) => setTimeout(r, 50));
    throw err;
  }
}

export async function stopOne(p: Subprocess, wait: boolean): Promise<true> {
  if (!isStoppable(p.snapshot)) throw new RPCFault(Faults.NOT_RUNNING, p.namespec);
  p.stop();
  if (wait) await p.stopWaited();
  return true;
}

const isSignallable = (p: Subprocess) => SIGNALLABLE_STATES.includes(p.state);

function signalOne(p: Subprocess, signal: string): true {
  if (!SIGNALLABLE_STATES.includes(p.state)) throw new RPCFault(Faults.NOT_RUNNING, p.namespec);
  p.signal(signal);
  return true;
}

export function controlHandlers(sup: Supervisor): ControlHandlers {
  const group = (name: string) => {
    const g = sup.groups.get(name);
    if (!g) throw new RPCFault(Faults.BAD_NAME, name);
    return g;
  };
  const start = (p: Subprocess, wait: boolean) => startOne(p, wait, sup.gate);
  /**
   * Stop `processes` (held ones are no longer started); with depends_on= and waiting, each once
   * what depends on it is down (reverse dependency order), else all at once as supervisor.
   */
  const stopAll = (processes: Subprocess[], wait: boolean) => {
    for (const p of processes) sup.gate.cancel(p);
    const selected = processes.filter((p) => isStoppable(p.snapshot));
    const stop = (p: Subprocess) => stopOne(p, wait);
    const action = wait && sup.gate.inUse() ? sup.gate.stopAfterDependents(selected, stop) : stop;
    return forEach(selected, () => true, action);
  };
  const handlers: ControlHandlers = {
    'supervisor.startProcess': async ({ name, wait = true }) => {
      const { group: g, process } = sup.find(name);
      if (!process) {
        await handlers['supervisor.startProcessGroup']({ name: g.name, wait }, undefined as never);
        return true;
      }
      return start(process, wait);
    },
    'supervisor.startProcessGroup': ({ name, wait = true }) =>
      forEach(group(name).byPriority(), (p) => !isRunningState(p.state), (p) => start(p, wait)),
    'supervisor.startAllProcesses': (params) => {
      const wait = params?.wait ?? true;
      return forEach(sup.allByPriority(), (p) => !isRunningState(p.state), (p) => start(p, wait));
    },
    'supervisor.stopProcess': async ({ name, wait = true }) => {
      const { group: g, process } = sup.find(name);
      if (!process) {
        await handlers['supervisor.stopProcessGroup']({ name: g.name, wait }, undefined as never);
        return true;
      }
      // a process held for its dependencies is not running: stopping it means it will not start
      if (sup.gate.cancel(process)) return true;
      return stopOne(process, wait);
    },
    'supervisor.stopProcessGroup': ({ name, wait = true }) => stopAll(group(name).byPriority(), wait),
    'supervisor.stopAllProcesses': (params) => {
      const wait = params?.wait ?? true;
      // supervisor 4.2.5 stops all in ascending priority order (_getAllProcesses), as it starts.
      return stopAll(sup.allByPriority(), wait);
    },
    'supervisor.signalProcess': async ({ name, signal }) => {
      const { group: g, process } = sup.find(name);
      if (!process) {
        await handlers['supervisor.signalProcessGroup']({ name: g.name, signal }, undefined as never);
        return true;
      }
      return signalOne(process, signalArgument(signal));
    },
    // As make_allfunc(isSignallable, signalProcess): only signallable processes are visited, and a
    // bad signal is each one's BAD_SIGNAL result (none at all when nothing is running).
    'supervisor.signalProcessGroup': ({ name, signal }) =>
      forEach(group(name).byPriority(), isSignallable, async (p) => signalOne(p, signalArgument(signal))),
    'supervisor.signalAllProcesses': ({ signal }) =>
      forEach(sup.allByPriority(), isSignallable, async (p) => signalOne(p, signalArgument(signal))),
  };
  return handlers;
}

/**
 * A signal argument of the signalProcess* methods, read as supervisor's
 * datatypes.signal_number(): 'HUP', 'SIGHUP', 'hup', '1' or 1 → '1' (a decimal signal number,
 * as os-seam's kill takes it); anything it refuses → BAD_SIGNAL.
 */
function signalArgument(signal: string | number): string {
  const parsed = parseSignal(signal);
  if (!('num' in parsed)) throw new RPCFault(Faults.BAD_SIGNAL, String(signal));
  return String(parsed.num);
}

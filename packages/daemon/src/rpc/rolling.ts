/**
 * `restart --rolling`: replace processes one at a time. Each one is stopped, started and
 * awaited until it is *ready* (process/dependencies.ts isReady: RUNNING after its `ready=`
 * check, past startsecs without one) before the next is touched, so the rest of an fcgi
 * pool keeps serving on the shared socket. The first replacement that fails ends the rollout:
 * the processes not yet reached keep running untouched and are listed as skipped.
 */
import { Faults, RPCFault, type Handlers, type RollingResult, type RollingStep } from '@tsupervisor/protocol';
import type { Connection } from '@tsupervisor/protocol/server';
import type { Subprocess } from '../process/subprocess.js';
import { isReady } from '../process/dependencies.js';
import { isRunningState } from '../process/transition.js';
import type { Supervisor } from '../supervisor.js';
import { exclusive } from '../update/exclusive.js';
import { startOne, stopOne } from './process-control.js';

type RollingHandlers = Pick<Handlers<Connection>, 'tsupervisor.rollingRestart'>;

/** `all`, `g:*`, `g:`, `g:name` or `name` → processes in order (a group by priority), each once. */
export function selectProcesses(sup: Supervisor, names: string[]): Subprocess[] {
  if (names.includes('all')) return sup.allByPriority();
  const out: Subprocess[] = [];
  for (const name of names) {
    const found = sup.find(name);
    for (const p of found.process ? [found.process] : found.group.byPriority()) if (!out.includes(p)) out.push(p);
  }
  return out;
}

export async function rollingRestart(processes: Subprocess[]): Promise<RollingResult> {
  const steps: RollingStep[] = [];
  for (const [i, p] of processes.entries()) {
    const step: RollingStep = { name: p.name, group: p.groupName, stopped: false, status: Faults.SUCCESS, description: 'OK' };
    steps.push(step);
    try {
      if (p.state === 'STOPPING') await p.stopped();
      if (isRunningState(p.state)) {
        await stopOne(p, true);
        step.stopped = true;
      }
      await startOne(p, true);
      // startOne answers at RUNNING, which the state machine enters only once ready
      if (!isReady(p.snapshot)) throw new RPCFault(Faults.ABNORMAL_TERMINATION, p.namespec);
    } catch (err) {
      if (!(err instanceof RPCFault)) throw err;
      step.status = err.code;
      step.description = err.message;
      return { steps, skipped: processes.slice(i + 1).map((q) => q.namespec) };
    }
  }
  return { steps, skipped: [] };
}

export function rollingHandlers(sup: Supervisor): RollingHandlers {
  return {
    'tsupervisor.rollingRestart': ({ names }) => {
      if (names.length === 0) throw new RPCFault(Faults.BAD_ARGUMENTS, 'rollingRestart needs at least one name');
      const processes = selectProcesses(sup, names);
      return exclusive(() => rollingRestart(processes));
    },
  };
}

/**
 * What `top`'s action keys do to the selected process or its group, through the ctl's shared
 * connection, and the message each leaves in the footer. The calls do not wait for the new
 * state: the daemon's events bring it to the screen.
 */
import { Faults, type RpcClient, type ProcessResult } from '@tsupervisor/protocol';
import { faultOf } from './fault.js';

export type Action = 'start' | 'stop' | 'restart' | 'signal' | 'clear';

export interface Target {
  /** A namespec, or a group name when `group`. */
  name: string;
  group: boolean;
  /** Its node's label over several servers, else null. */
  node: string | null;
}

export function describeTarget(t: Target): string {
  return `${t.group ? `group ${t.name}` : t.name}${t.node === null ? '' : ` on node ${t.node}`}`;
}

/** The failures among a group call's results, as `name: description`. */
function failures(results: ProcessResult[]): string[] {
  return results.filter((r) => r.status !== Faults.SUCCESS).map((r) => `${r.group}:${r.name}: ${r.description}`);
}

async function perform(rpc: RpcClient, action: Action, t: Target, signal: string): Promise<string[]> {
  const name = { name: t.name };
  switch (action) {
    case 'start':
      return t.group ? failures(await rpc.call('supervisor.startProcessGroup', { ...name, wait: false })) : (await rpc.call('supervisor.startProcess', { ...name, wait: false }), []);
    case 'stop':
      return t.group ? failures(await rpc.call('supervisor.stopProcessGroup', { ...name, wait: false })) : (await rpc.call('supervisor.stopProcess', { ...name, wait: false }), []);
    case 'restart':
      if (t.group) {
        await rpc.call('supervisor.stopProcessGroup', { ...name, wait: true });
        return failures(await rpc.call('supervisor.startProcessGroup', { ...name, wait: false }));
      }
      try {
        await rpc.call('supervisor.stopProcess', { ...name, wait: true });
      } catch (err) {
        if (!faultOf(err)) throw err; // NOT_RUNNING: start it all the same
      }
      await rpc.call('supervisor.startProcess', { ...name, wait: false });
      return [];
    case 'signal':
      return t.group ? failures(await rpc.call('supervisor.signalProcessGroup', { ...name, signal })) : (await rpc.call('supervisor.signalProcess', { ...name, signal }), []);
    case 'clear':
      if (t.group) throw new Error('clear acts on one process');
      await rpc.call('supervisor.clearProcessLogs', name);
      return [];
  }
}

const DONE: Record<Action, string> = { start: 'start asked', stop: 'stop asked', restart: 'restarted', signal: 'signalled', clear: 'log cleared' };

/** Runs the action; the footer's message (a fault as the daemon words it). */
export async function act(rpc: RpcClient, action: Action, t: Target, signal = 'TERM'): Promise<string> {
  try {
    const failed = await perform(rpc, action, t, signal);
    return failed.length > 0 ? `${action} ${describeTarget(t)}: ${failed.join('; ')}` : `${describeTarget(t)}: ${DONE[action]}${action === 'signal' ? ` (${signal})` : ''}`;
  } catch (err) {
    if (err instanceof Error) return `${action} ${describeTarget(t)}: ${err.message}`;
    throw err;
  }
}

/** Stops every process of the daemon behind `rpc` (`node`: its label over several servers). */
export async function stopAll(rpc: RpcClient, node: string | null = null): Promise<string> {
  const what = node === null ? 'stop all' : `stop all on node ${node}`;
  try {
    const failed = failures(await rpc.call('supervisor.stopAllProcesses', { wait: false }));
    return failed.length > 0 ? `${what}: ${failed.join('; ')}` : `${what} asked`;
  } catch (err) {
    if (err instanceof Error) return `${what}: ${err.message}`;
    throw err;
  }
}

/** Reading, tailing, clearing and following logs (§7 readProcessStdoutLog …, tsupervisor.followLogs). */
import { Faults, RPCFault, type Handlers, type LogChannel } from '@tsupervisor/protocol';
import type { Connection } from '@tsupervisor/protocol/server';
import type { Subprocess } from '../process/subprocess.js';
import type { DaemonServices } from './services.js';

type LogHandlers = Pick<
  Handlers<Connection>,
  | 'supervisor.readLog'
  | 'supervisor.clearLog'
  | 'supervisor.readProcessStdoutLog'
  | 'supervisor.readProcessStderrLog'
  | 'supervisor.tailProcessStdoutLog'
  | 'supervisor.tailProcessStderrLog'
  | 'supervisor.clearProcessLogs'
  | 'supervisor.clearAllProcessLogs'
  | 'tsupervisor.followLogs'
>;

export function logHandlers(services: DaemonServices): LogHandlers {
  const sup = services.supervisor;
  const one = (name: string): Subprocess => {
    const { process } = sup.find(name);
    if (!process) throw new RPCFault(Faults.BAD_NAME, name);
    return process;
  };
  const read = (channel: LogChannel) => ({ name, offset, length }: { name: string; offset: number; length: number }) =>
    one(name).output.read(channel, offset, length);
  const tail = (channel: LogChannel) => ({ name, offset, length }: { name: string; offset: number; length: number }) =>
    one(name).output.tail(channel, offset, length);

  return {
    'supervisor.readLog': ({ offset, length }) => services.mainLog.read(offset, length),
    'supervisor.clearLog': async () => {
      await services.mainLog.clear();
      return true;
    },
    'supervisor.readProcessStdoutLog': read('stdout'),
    'supervisor.readProcessStderrLog': read('stderr'),
    'supervisor.tailProcessStdoutLog': tail('stdout'),
    'supervisor.tailProcessStderrLog': tail('stderr'),
    'supervisor.clearProcessLogs': async ({ name }) => {
      await one(name).output.clear();
      return true;
    },
    'supervisor.clearAllProcessLogs': () =>
      Promise.all(
        sup.allByPriority().map(async (p) => {
          await p.output.clear();
          return { name: p.name, group: p.groupName, status: Faults.SUCCESS, description: 'OK' };
        }),
      ),
    'tsupervisor.followLogs': ({ names, channel, main }, connection) => {
      const wanted = new Set<string>();
      for (const name of names) {
        const { group, process } = sup.find(name);
        for (const p of process ? [process] : group.processes) wanted.add(p.namespec);
      }
      const unsubscribes: Array<() => void> = [];
      const stop = () => unsubscribes.splice(0).forEach((u) => u());
      const forward = (data: string, name: string, ch: LogChannel) => {
        if (!connection.notify('tsupervisor.log', { name, channel: ch, data })) stop();
      };
      for (const name of wanted) unsubscribes.push(services.followOutput(name, channel, forward));
      if (main) {
        unsubscribes.push(services.followOutput('supervisord', 'stdout', forward));
        wanted.add('supervisord');
      }
      connection.onClose(stop);
      return [...wanted];
    },
  };
}

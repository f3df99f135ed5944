/** Reading, tailing, clearing and following logs (§7 readProcessStdoutLog …, tsupervisor.followLogs). */
import { Faults, RPCFault, type Handlers, type LogChannel } from '@tsupervisor/protocol';
import type { Connection } from '@tsupervisor/protocol/server';
import { MAIN_LOG_NAME } from '../logs/log-bus.js';
import type { LogHead } from '../logs/read.js';
import { type FollowOutlet, Follower } from './log-follower.js';
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
      const p = one(name);
      await clearOrFail(p);
      return true;
    },
    'supervisor.clearAllProcessLogs': () =>
      Promise.all(
        sup.allByPriority().map(async (p) => {
          try {
            await clearOrFail(p);
          } catch (err) {
            return { name: p.name, group: p.groupName, status: (err as RPCFault).code, description: (err as RPCFault).message };
          }
          return { name: p.name, group: p.groupName, status: Faults.SUCCESS, description: 'OK' };
        }),
      ),
    'tsupervisor.followLogs': ({ names, channel, main, head, from }, connection) => {
      const wanted = new Map<string, Subprocess | null>();
      for (const name of names) {
        const { group, process } = sup.find(name);
        for (const p of process ? [process] : group.processes) wanted.set(p.namespec, p);
      }
      if (main) wanted.set(MAIN_LOG_NAME, null);
      const followers: Follower[] = [];
      const stop = () => followers.forEach((f) => f.stop());
      const outlet: FollowOutlet = {
        socket: connection.socket,
        notify: (params) => connection.notify('tsupervisor.log', params),
        end: () => {
          stop();
          connection.socket.end();
        },
      };
      let i = 0;
      for (const [name, p] of wanted) {
        const ch = p ? channel : 'stdout';
        const f = new Follower(name, ch, outlet, head === undefined);
        f.unsubscribe = services.followOutput(name, ch, (chunk) => f.chunk(chunk));
        // asked now, before any later output is handed to the file (see RotatingFile.head)
        if (head !== undefined) f.head = p ? headOf(p, ch, head) : (services.mainLog.head?.(head) ?? Promise.reject(new RPCFault(Faults.NO_FILE)));
        const at = from?.[i++];
        if (f.head && at !== undefined && at >= 0) f.head = f.head.then((h) => (h ? resumeAt(h, at) : h));
        followers.push(f);
      }
      connection.onClose(stop);
      if (head === undefined) return [...wanted.keys()];
      return (async () => {
        const heads = await Promise.allSettled(followers.map((f) => f.head!));
        // One log that cannot be read ends it, as supervisor's /logtail answers 404.
        const failed = heads[0]?.status === 'rejected' ? heads[0].reason : null;
        if (followers.length === 1 && failed instanceof RPCFault && (failed.code === Faults.NO_FILE || failed.code === Faults.BAD_NAME)) {
          stop();
          throw failed;
        }
        followers.forEach((f, i) => {
          const h = heads[i]!;
          f.start(h.status === 'fulfilled' ? h.value : null);
        });
        return [...wanted.keys()];
      })();
    },
  };
}

/**
 * `from`: a follow resumed (after a reexec, or a connection lost) goes on at the position it had
 * reached in the file, instead of after a head: nothing shown twice, nothing missed.
 */
function resumeAt(head: LogHead, pos: number): LogHead {
  if (!head.from || pos > head.from.pos) return head;
  return { data: Buffer.alloc(0), partial: false, from: { source: head.from.source, pos } };
}

/** supervisor's clearProcessLogs: a log that cannot be removed (EISDIR, EACCES …) is FAILED: name. */
async function clearOrFail(p: Subprocess): Promise<void> {
  try {
    await p.output.clear();
  } catch (err) {
    if (err instanceof RPCFault) throw err;
    throw new RPCFault(Faults.FAILED, p.name);
  }
}

function headOf(p: Subprocess, channel: LogChannel, bytes: number): Promise<LogHead> {
  return p.output.head ? p.output.head(channel, bytes) : Promise.reject(new RPCFault(Faults.NO_FILE, p.name));
}

/** Reading, tailing, clearing and following logs (§7 readProcessStdoutLog …, tsupervisor.followLogs). */
import { StringDecoder } from 'node:string_decoder';
import { Faults, RPCFault, type Handlers, type LogChannel, type Notifications } from '@tsupervisor/protocol';
import type { Connection } from '@tsupervisor/protocol/server';
import { chunkDecoder, MAIN_LOG_NAME } from '../logs/log-bus.js';
import type { LogHead } from '../logs/read.js';
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
    'tsupervisor.followLogs': ({ names, channel, main, head }, connection) => {
      const wanted = new Map<string, Subprocess | null>();
      for (const name of names) {
        const { group, process } = sup.find(name);
        for (const p of process ? [process] : group.processes) wanted.set(p.namespec, p);
      }
      if (main) wanted.set(MAIN_LOG_NAME, null);
      const followers: Follower[] = [];
      const stop = () => followers.forEach((f) => f.stop());
      const send = (params: Notifications['tsupervisor.log']) => {
        if (!connection.notify('tsupervisor.log', params)) stop();
      };
      for (const [name, p] of wanted) {
        const ch = p ? channel : 'stdout';
        const f = new Follower(name, ch, send, head === undefined);
        f.unsubscribe = services.followOutput(name, ch, (chunk) => f.chunk(chunk));
        // asked now, before any later output is handed to the file (see RotatingFile.head)
        if (head !== undefined) f.head = p ? headOf(p, ch, head) : (services.mainLog.head?.(head) ?? Promise.reject(new RPCFault(Faults.NO_FILE)));
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

/**
 * One followed log of a followLogs call. With a head, the chunks published from the
 * subscription on are kept (copied) until the head has been read, then sent after it: the head
 * holds exactly what was logged before the subscription (RotatingFile.head), so nothing is
 * missed or doubled whatever the output is. One UTF-8 decoder runs over the head and the chunks
 * that follow, so a character cut between them arrives whole.
 */
class Follower {
  unsubscribe: (() => void) | null = null;
  head: Promise<LogHead> | null = null;
  private readonly decoder = new StringDecoder('utf8');
  private readonly decode = chunkDecoder(this.decoder);
  private pending: Array<Buffer | string> | null;

  constructor(
    private readonly name: string,
    private readonly channel: LogChannel,
    private readonly send: (params: Notifications['tsupervisor.log']) => void,
    live: boolean,
  ) {
    this.pending = live ? null : [];
  }

  chunk(chunk: Uint8Array | string): void {
    if (this.pending) this.pending.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk));
    else this.forward(chunk);
  }

  /** Sends the head (null: none to show), then what came meanwhile; live from then on. */
  start(head: LogHead | null): void {
    if (head && head.data.length > 0) {
      let data = head.data;
      // a head cut inside the file may start inside a character: from the next one
      if (head.partial) {
        let skip = 0;
        while (skip < 3 && skip < data.length && (data[skip]! & 0xc0) === 0x80) skip++;
        data = data.subarray(skip);
      }
      this.send({ name: this.name, channel: this.channel, data: this.decoder.write(data), head: true, partial: head.partial });
    }
    const pending = this.pending ?? [];
    this.pending = null;
    for (const chunk of pending) this.forward(chunk);
  }

  stop(): void {
    this.pending = null;
    this.unsubscribe?.();
    this.unsubscribe = null;
  }

  private forward(chunk: Uint8Array | string): void {
    if (!this.unsubscribe) return;
    const data = this.decode(chunk);
    if (data.length > 0) this.send({ name: this.name, channel: this.channel, data });
  }
}

/**
 * An in-memory daemon speaking the real protocol (the protocol package's dispatcher), for
 * testing the ctl binary exactly, including faults a real daemon rarely gives (SHUTDOWN_STATE,
 * CANT_REREAD, UNAUTHORIZED). Times are fixed so descriptions are stable.
 */
import net from 'node:net';
import {
  type ConfigInfo,
  Faults,
  type LogChannel,
  type MethodName,
  type ProcessInfo,
  type ProcessResult,
  type ProcessStateName,
  ProcessStates,
  RPCFault,
  type UpdateAction,
} from '@tsupervisor/protocol';
import { type Connection, createDispatcher, serveConnection } from '@tsupervisor/protocol/server';
import type { Handlers } from '@tsupervisor/protocol';

export const NOW = 1_700_000_000;

export interface FakeProcess {
  group: string;
  name: string;
  statename: ProcessStateName;
  pid?: number;
  start?: number;
  stop?: number;
  spawnerr?: string;
  /** What startProcess answers instead of starting: a fault code. */
  startFault?: number;
  stdout?: string | null;
  stderr?: string | null;
  autostart?: boolean;
}

export interface FakeOptions {
  processes: FakeProcess[];
  mainLog?: string;
  /** Methods that answer with this fault. */
  faults?: Partial<Record<MethodName, RPCFault>>;
  auth?: { username: string; password: string };
  reload?: { added: string[]; changed: string[]; removed: string[] };
  update?: UpdateAction[];
  apiVersion?: string;
}

function namespec(p: FakeProcess): string {
  return p.group === p.name ? p.name : `${p.group}:${p.name}`;
}

function describe(p: FakeProcess): string {
  switch (p.statename) {
    case 'RUNNING':
      return `pid ${p.pid}, uptime 0:00:${String(NOW - (p.start ?? NOW)).padStart(2, '0')}`;
    case 'FATAL':
    case 'BACKOFF':
      return p.spawnerr || `unknown error (try "tail ${p.name}")`;
    case 'STOPPED':
    case 'EXITED':
      return p.start ? 'Nov 14 10:13 PM' : 'Not started';
    default:
      return '';
  }
}

export class FakeDaemon {
  readonly calls: Array<{ method: string; params: unknown }> = [];
  private readonly followers: Array<{ c: Connection; names: string[]; channel: LogChannel; main: boolean }> = [];
  private constructor(
    readonly path: string,
    private readonly server: net.Server,
    readonly options: FakeOptions,
  ) {}

  static async start(path: string, options: FakeOptions): Promise<FakeDaemon> {
    const server = net.createServer();
    const daemon = new FakeDaemon(path, server, options);
    // Methods the fake leaves out answer UNKNOWN_METHOD (the table may grow under us).
    const partial = daemon.handlers();
    const handlers = new Proxy(partial, {
      get: (target, method: string) =>
        target[method as MethodName] ??
        (() => {
          throw new RPCFault(Faults.UNKNOWN_METHOD, method);
        }),
    }) as Handlers<Connection>;
    const dispatcher = createDispatcher(handlers, {
      before: (method, params) => {
        daemon.calls.push({ method, params: { ...params, _auth: undefined } });
        const auth = options.auth;
        const given = params['_auth'] as { username?: string; password?: string } | undefined;
        if (auth && (given?.username !== auth.username || given?.password !== auth.password)) {
          throw new RPCFault(Faults.UNAUTHORIZED);
        }
        const fault = options.faults?.[method];
        if (fault) throw fault;
      },
    });
    server.on('connection', (socket) => {
      daemon.sockets.add(socket);
      socket.on('close', () => daemon.sockets.delete(socket));
      serveConnection(socket, dispatcher);
    });
    await new Promise<void>((resolve) => server.listen(path, resolve));
    return daemon;
  }

  private readonly sockets = new Set<net.Socket>();

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** Closes the server and drops every connection (a daemon that exits). */
  async closeAll(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await this.close();
  }

  writeMain(data: string): void {
    this.options.mainLog = (this.options.mainLog ?? '') + data;
    for (const f of this.followers) if (f.main) f.c.notify('tsupervisor.log', { name: 'supervisord', channel: 'stdout', data });
  }

  /** Appends to a process's log and pushes it to followers. */
  write(spec: string, channel: LogChannel, data: string): void {
    const p = this.find(spec);
    if (channel === 'stdout') p.stdout = (p.stdout ?? '') + data;
    else p.stderr = (p.stderr ?? '') + data;
    for (const f of this.followers) {
      if (!f.main && f.channel === channel && f.names.includes(namespec(p))) f.c.notify('tsupervisor.log', { name: namespec(p), channel, data });
    }
  }

  private info(p: FakeProcess): ProcessInfo {
    return {
      name: p.name,
      group: p.group,
      description: describe(p),
      start: p.start ?? 0,
      stop: p.stop ?? 0,
      now: NOW,
      state: ProcessStates[p.statename],
      statename: p.statename,
      spawnerr: p.spawnerr ?? '',
      exitstatus: 0,
      logfile: '/tmp/x.log',
      stdout_logfile: '/tmp/x.log',
      stderr_logfile: '/tmp/x-err.log',
      pid: p.pid ?? 0,
    };
  }

  private find(spec: string): FakeProcess {
    const colon = spec.indexOf(':');
    const group = colon < 0 ? spec : spec.slice(0, colon);
    const name = colon < 0 ? spec : spec.slice(colon + 1);
    const p = this.options.processes.find((q) => q.group === group && q.name === name);
    if (!p) throw new RPCFault(Faults.BAD_NAME, spec);
    return p;
  }

  private members(group: string): FakeProcess[] {
    const found = this.options.processes.filter((p) => p.group === group);
    if (found.length === 0) throw new RPCFault(Faults.BAD_NAME, group);
    return found;
  }

  private result(p: FakeProcess, fn: () => void): ProcessResult {
    try {
      fn();
      return { name: p.name, group: p.group, status: Faults.SUCCESS, description: 'OK' };
    } catch (err) {
      const f = err as RPCFault;
      return { name: p.name, group: p.group, status: f.code, description: f.message };
    }
  }

  private startOne(p: FakeProcess): void {
    if (p.statename === 'RUNNING' || p.statename === 'STARTING') throw new RPCFault(Faults.ALREADY_STARTED, namespec(p));
    if (p.startFault) throw new RPCFault(p.startFault, namespec(p));
    Object.assign(p, { statename: 'RUNNING', pid: 4000 + this.options.processes.indexOf(p), start: NOW - 1 });
  }

  private stopOne(p: FakeProcess): void {
    if (p.statename !== 'RUNNING' && p.statename !== 'STARTING' && p.statename !== 'BACKOFF') {
      throw new RPCFault(Faults.NOT_RUNNING, namespec(p));
    }
    Object.assign(p, { statename: 'STOPPED', pid: 0, stop: NOW });
  }

  private signalOne(p: FakeProcess, signal: string | number): void {
    if (!/^(SIG)?(HUP|TERM|USR1|USR2|KILL|INT|QUIT)$|^\d+$/i.test(String(signal))) throw new RPCFault(Faults.BAD_SIGNAL, String(signal));
    if (p.statename !== 'RUNNING') throw new RPCFault(Faults.NOT_RUNNING, namespec(p));
  }

  private readLog(text: string | null | undefined, offset: number, length: number, name: string): string {
    if (text === null) throw new RPCFault(Faults.NO_FILE, name);
    const data = text ?? '';
    if (offset < 0 && length === 0) return data.slice(Math.max(0, data.length + offset));
    return data.slice(offset, length ? offset + length : undefined);
  }

  private handlers(): Partial<Handlers<Connection>> {
    const all = () => this.options.processes;
    return {
      'supervisor.getAPIVersion': () => this.options.apiVersion ?? '3.0',
      'supervisor.getSupervisorVersion': () => '4.2.5',
      'supervisor.getIdentification': () => 'supervisor',
      'supervisor.getState': () => ({ statecode: 1, statename: 'RUNNING' }),
      'supervisor.getPID': () => 4242,
      'supervisor.readLog': ({ offset, length }) => this.readLog(this.options.mainLog, offset, length, 'supervisord'),
      'supervisor.clearLog': () => true,
      'supervisor.shutdown': () => true,
      'supervisor.restart': () => true,
      'supervisor.reloadConfig': () => this.options.reload ?? { added: [], changed: [], removed: [] },
      'supervisor.addProcessGroup': ({ name }) => {
        if (all().some((p) => p.group === name)) throw new RPCFault(Faults.ALREADY_ADDED, name);
        throw new RPCFault(Faults.BAD_NAME, name);
      },
      'supervisor.removeProcessGroup': ({ name }) => {
        const members = this.members(name);
        if (members.some((p) => p.statename === 'RUNNING')) throw new RPCFault(Faults.STILL_RUNNING, name);
        this.options.processes = all().filter((p) => p.group !== name);
        return true;
      },
      'supervisor.startProcess': ({ name }) => (this.startOne(this.find(name)), true),
      'supervisor.startProcessGroup': ({ name }) => this.members(name).map((p) => this.result(p, () => this.startOne(p))),
      'supervisor.startAllProcesses': () => all().map((p) => this.result(p, () => this.startOne(p))),
      'supervisor.stopProcess': ({ name }) => (this.stopOne(this.find(name)), true),
      'supervisor.stopProcessGroup': ({ name }) => this.members(name).map((p) => this.result(p, () => this.stopOne(p))),
      'supervisor.stopAllProcesses': () => all().map((p) => this.result(p, () => this.stopOne(p))),
      'supervisor.signalProcess': ({ name, signal }) => (this.signalOne(this.find(name), signal), true),
      'supervisor.signalProcessGroup': ({ name, signal }) => this.members(name).map((p) => this.result(p, () => this.signalOne(p, signal))),
      'supervisor.signalAllProcesses': ({ signal }) => all().map((p) => this.result(p, () => this.signalOne(p, signal))),
      'supervisor.getAllConfigInfo': () =>
        all().map((p) => ({ name: p.name, group: p.group, inuse: true, autostart: p.autostart ?? true, group_prio: 999, process_prio: 999 }) as ConfigInfo),
      'supervisor.getProcessInfo': ({ name }) => this.info(this.find(name)),
      'supervisor.getAllProcessInfo': () => all().map((p) => this.info(p)),
      'supervisor.readProcessStdoutLog': ({ name, offset, length }) => this.readLog(this.find(name).stdout, offset, length, name),
      'supervisor.readProcessStderrLog': ({ name, offset, length }) => this.readLog(this.find(name).stderr, offset, length, name),
      'supervisor.tailProcessStdoutLog': () => ({ bytes: '', offset: 0, overflow: false }),
      'supervisor.tailProcessStderrLog': () => ({ bytes: '', offset: 0, overflow: false }),
      'supervisor.clearProcessLogs': ({ name }) => (this.find(name), true),
      'supervisor.clearAllProcessLogs': () => all().map((p) => this.result(p, () => undefined)),
      'supervisor.sendProcessStdin': ({ name }) => (this.find(name), true),
      'supervisor.sendRemoteCommEvent': () => true,
      'system.listMethods': () => [],
      'tsupervisor.update': ({ names }) => ({
        actions: [
          ...(names ?? []).filter((n) => !all().some((p) => p.group === n)).map((group): UpdateAction => ({ group, action: 'nosuchgroup' })),
          ...(this.options.update ?? []),
        ],
      }),
      'tsupervisor.followLogs': ({ names, channel, main, head }, c) => {
        const followed = main ? [] : names.flatMap((n) => (n.endsWith(':*') ? this.members(n.slice(0, -2)) : [this.find(n)]).map(namespec));
        if (head !== undefined) {
          // each log's last `head` characters first, as the daemon sends them
          const logs = main
            ? [{ name: 'supervisord', text: this.options.mainLog }]
            : followed.map((n) => ({ name: n, text: channel === 'stdout' ? this.find(n).stdout : this.find(n).stderr }));
          if (logs.length === 1 && logs[0]!.text === null) throw new RPCFault(Faults.NO_FILE, logs[0]!.name);
          for (const { name, text } of logs) {
            if (text) c.notify('tsupervisor.log', { name, channel: main ? 'stdout' : channel, data: text.slice(-head), head: true, partial: text.length > head });
          }
        }
        this.followers.push({ c, names: followed, channel, main: Boolean(main) });
        return followed;
      },
      'tsupervisor.subscribeEvents': () => true,
      'tsupervisor.processStats': () => ({ time: Date.now(), processes: [], fcgi: [] }),
      'tsupervisor.planUpdate': () => ({ ...(this.options.reload ?? { added: [], changed: [], removed: [] }), groups: [] }),
      'tsupervisor.rollingRestart': () => ({ steps: [], skipped: [] }),
    };
  }
}

/**
 * Where `top`'s data comes from, on connections of its own: the process list once, then every
 * PROCESS_STATE / PROCESS_GROUP event the daemon pushes (tsupervisor.subscribeEvents) refreshes
 * the process it names (no polling for states); tsupervisor.processStats once a second for CPU
 * and memory; the selected process's log followed (tsupervisor.followLogs). `changed` is called
 * after anything that alters the view.
 *
 * supervisord 4.2.5 itself (a node of a mixed fleet, reached over XML-RPC) pushes nothing and
 * has no figures: its process list is read once a second, the state changes found so reported as
 * events would be, CPU and memory left blank; its logs are followed as supervisorctl tails them.
 */
import { makeNamespec, type RpcClient, type Notifications } from '@tsupervisor/protocol';
import type { Ctl } from '../ctl.js';
import { faultOf } from './fault.js';
import { LogLines } from './log-lines.js';
import { applyAll, applyInfo, applyStats, type View } from './model.js';

export const STATS_EVERY_MS = 1000;

export class Feed {
  readonly log = new LogLines(200);
  logName: string | null = null;
  private events: RpcClient | null = null;
  private follower: RpcClient | null = null;
  private statsTimer: NodeJS.Timeout | null = null;
  /** supervisord (XML-RPC): the states last read, by namespec; null for tsupervisord. */
  private polled: Map<string, { state: string; pid: number }> | null = null;
  private pollTimer: NodeJS.Timeout | null = null;
  private closed = false;
  /** Set when the daemon goes away: why. */
  lost: string | null = null;

  constructor(
    readonly ctl: Ctl,
    private readonly view: View,
    /** The node's label ('' for a single server). */
    readonly node: string,
    private readonly changed: () => void,
    /** A PROCESS_STATE event, for the plain-text line per change. */
    private readonly onEvent: (e: Notifications['tsupervisor.event']) => void = () => {},
  ) {}

  async start(): Promise<void> {
    const rpc = await this.ctl.rpc();
    if (this.ctl.speaksXmlRpc) {
      this.polled = new Map();
      await this.poll();
      this.pollTimer = setInterval(() => void this.poll(), STATS_EVERY_MS);
      return;
    }
    this.events = await this.ctl.connect();
    this.events.onNotification('tsupervisor.event', (e) => void this.event(e));
    this.events.onClose(() => this.lose('supervisord closed the connection'));
    await this.events.call('tsupervisor.subscribeEvents', { types: ['PROCESS_STATE', 'PROCESS_GROUP'] });
    applyAll(this.view, await rpc.call('supervisor.getAllProcessInfo'), this.node);
    await this.stats();
  }

  /** CPU and memory once a second from now on. */
  tick(): void {
    this.statsTimer = setInterval(() => void this.stats(), STATS_EVERY_MS);
  }

  private lose(why: string): void {
    if (this.closed) return;
    this.lost = why;
    this.changed();
  }

  private async event(e: Notifications['tsupervisor.event']): Promise<void> {
    try {
      const rpc = await this.ctl.rpc();
      if (e.type.startsWith('PROCESS_GROUP')) applyAll(this.view, await rpc.call('supervisor.getAllProcessInfo'), this.node);
      else {
        const name = makeNamespec(e.payload['groupname'] ?? '', e.payload['processname'] ?? '');
        applyInfo(this.view, await rpc.call('supervisor.getProcessInfo', { name }), this.node);
        this.onEvent(e);
      }
      this.changed();
    } catch (err) {
      if (!faultOf(err)) this.lose((err as Error).message);
    }
  }

  /** supervisord: its process list again, each state change since the last read as an event. */
  private async poll(): Promise<void> {
    if (!this.polled || this.closed) return;
    try {
      const infos = await (await this.ctl.rpc()).call('supervisor.getAllProcessInfo');
      const seen = new Map<string, { state: string; pid: number }>();
      for (const info of infos) {
        const name = makeNamespec(info.group, info.name);
        const was = this.polled.get(name);
        seen.set(name, { state: info.statename, pid: info.pid });
        if (was && (was.state !== info.statename || was.pid !== info.pid)) {
          const payload = { groupname: info.group, processname: info.name, from_state: was.state, pid: String(info.pid) };
          this.onEvent({ serial: 0, type: `PROCESS_STATE_${info.statename}`, payload });
        }
      }
      this.polled = seen;
      applyAll(this.view, infos, this.node);
      this.changed();
    } catch (err) {
      if (!faultOf(err)) this.lose((err as Error).message);
    }
  }

  async stats(): Promise<void> {
    if (this.polled) return;
    try {
      applyStats(this.view, await (await this.ctl.rpc()).call('tsupervisor.processStats'), this.node);
      this.changed();
    } catch (err) {
      if (!faultOf(err)) this.lose((err as Error).message);
    }
  }

  /** Follow `name`'s log (stdout, or stderr) instead of the one followed now. */
  async follow(name: string | null, channel: 'stdout' | 'stderr' = 'stdout'): Promise<void> {
    const on = this.node === '' ? name : `${this.node}: ${name}`;
    const label = name === null ? null : channel === 'stdout' ? on : `${on} (stderr)`;
    if (label === this.logName) return;
    this.follower?.close();
    this.follower = null;
    this.logName = label;
    this.log.clear();
    this.changed();
    if (name === null || this.closed) return;
    const client = await this.ctl.connect();
    if (this.logName !== label || this.closed) return client.close();
    this.follower = client;
    client.onNotification('tsupervisor.log', (n) => {
      if (this.follower !== client) return;
      this.log.push(n.data);
      this.changed();
    });
    try {
      await client.call('tsupervisor.followLogs', { names: [name], channel, head: 8192 });
    } catch (err) {
      const fault = faultOf(err);
      if (!fault) throw err;
      if (this.follower === client) this.log.push(`(${fault.message})\n`);
      this.changed();
    }
  }

  close(): void {
    this.closed = true;
    if (this.statsTimer) clearInterval(this.statsTimer);
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.events?.close();
    this.follower?.close();
  }
}

/**
 * `top` over one server or several (the fleet): one Feed per node, each started as its node
 * answers, so a node that does not answer holds nobody. The nodes come identified by the fleet
 * code (fleet/nodes.ts: the name given or the daemon's identification, within `--timeout`);
 * a node that does not answer, whose feed fails to start or whose daemon goes away is marked
 * down in the view. With a single server its failures are the command's, as before.
 */
import type { Notifications } from '@tsupervisor/protocol';
import type { Ctl } from '../ctl.js';
import { Feed } from './feed.js';
import { nodeDown, type View } from './model.js';

/** One server as `top` sees it. */
export interface TopNode {
  /** Its label: read once `answered` has settled (the identification may set it). */
  readonly label: string;
  readonly ctl: Ctl;
  /** null once it answered, else why not. */
  readonly answered: Promise<string | null>;
}

export type EventLine = (node: string, e: Notifications['tsupervisor.event']) => void;

export class Feeds {
  readonly list: Feed[] = [];
  private readonly fleet: boolean;
  private closed = false;

  constructor(
    private readonly view: View,
    private readonly nodes: readonly TopNode[],
    private readonly changed: () => void,
    private readonly onEvent: EventLine = () => {},
  ) {
    this.fleet = nodes.length > 1;
  }

  /** Starts every node's feed (`tick`: CPU and memory once a second from then on); settles when each has started or is down. */
  async start(tick: boolean): Promise<void> {
    await Promise.all(this.nodes.map((node) => this.startNode(node, tick)));
  }

  private async startNode(node: TopNode, tick: boolean): Promise<void> {
    const why = await node.answered;
    const label = this.fleet ? node.label : '';
    if (why !== null) return this.down(label, why);
    if (this.closed) return;
    const feed: Feed = new Feed(
      node.ctl,
      this.view,
      label,
      () => {
        if (this.fleet && feed.lost && !this.view.down.has(label)) (feed.close(), this.down(label, feed.lost));
        this.changed();
      },
      (e) => this.onEvent(label, e),
    );
    this.list.push(feed);
    try {
      await feed.start();
    } catch (err) {
      if (!this.fleet) throw err;
      feed.close();
      return this.down(label, err instanceof Error ? err.message : String(err));
    }
    if (tick && !this.closed) feed.tick();
  }

  private down(label: string, why: string): void {
    nodeDown(this.view, label, why);
    this.changed();
  }

  /** The feed of the node labelled `node`. */
  of(node: string | undefined): Feed | undefined {
    return this.list.find((f) => f.node === node);
  }

  /** Why the daemon went away, with a single server (over several, its node is shown down). */
  get lost(): string | null {
    return this.fleet ? null : (this.list[0]?.lost ?? null);
  }

  /** Every node that answered is lost. */
  get allLost(): boolean {
    return this.list.length > 0 && this.list.every((f) => f.lost !== null);
  }

  async stats(): Promise<void> {
    await Promise.all(this.list.filter((f) => !f.lost).map((f) => f.stats()));
  }

  /** The log pane follows `name` on `node`; every other node follows nothing. */
  follow(node: string | null, name: string | null, channel: 'stdout' | 'stderr'): void {
    for (const f of this.list) void f.follow(f.node === node ? name : null, channel).catch(() => {});
  }

  close(): void {
    this.closed = true;
    for (const f of this.list) f.close();
  }
}

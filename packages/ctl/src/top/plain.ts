/**
 * `top` when stdout is not a terminal: one snapshot of the table (two stats readings a second
 * apart, for CPU %), or with `-f` the snapshot and then one line per state change as the daemon
 * pushes it, until Ctrl-C or the daemon goes. Over several servers: one table with a NODE column,
 * each node that does not answer reported on stderr (`node X: why`, as the fleet reports it)
 * with exit status 1, change lines prefixed by the node, and `-f` ends when every node is gone.
 */
import type { Ctl } from '../ctl.js';
import { STATS_EVERY_MS } from './feed.js';
import { Feeds, type TopNode } from './feeds.js';
import { emptyView } from './model.js';
import { plainTable } from './render.js';
import { Exit } from '../render/faults.js';

/** `console`: where the lines go and Ctrl-C is heard (the only node's Ctl with one server). */
export async function runPlain(nodes: readonly TopNode[], console: Ctl, colour: boolean, follow: boolean): Promise<void> {
  const fleet = nodes.length > 1;
  const view = emptyView(fleet);
  const stamp = () => new Date().toISOString().replace('T', ' ').slice(0, 19);
  let gone!: () => void;
  const lost = new Promise<void>((resolve) => (gone = resolve));
  let printing = false;
  const feeds = new Feeds(
    view,
    nodes,
    () => (feeds.lost || (fleet && feeds.allLost)) && gone(),
    (node, e) => {
      if (!printing) return;
      const name = e.payload['groupname'] === e.payload['processname'] ? e.payload['processname'] : `${e.payload['groupname']}:${e.payload['processname']}`;
      const to = e.type.replace('PROCESS_STATE_', '');
      const pid = e.payload['pid'] ? ` pid ${e.payload['pid']}` : '';
      console.output(`${stamp()} ${node ? `${node}: ` : ''}${name} ${e.payload['from_state']} -> ${to}${pid}`);
    },
  );
  try {
    await feeds.start(false);
    for (const [node, why] of view.down) console.outputError(`node ${node}: ${why}`);
    if (view.down.size > 0) console.exitstatus = Math.max(console.exitstatus, Exit.GENERIC);
    await new Promise((resolve) => setTimeout(resolve, STATS_EVERY_MS));
    await feeds.stats();
    for (const line of plainTable(view, 100, Date.now(), colour)) console.output(line);
    if (!follow || feeds.list.length === 0) return;
    printing = true;
    const { interrupted, dispose } = console.interruptible();
    await Promise.race([interrupted, lost]);
    dispose();
    if (feeds.lost) console.outputError(feeds.lost);
  } finally {
    feeds.close();
  }
}

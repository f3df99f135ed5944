/**
 * `top` when stdout is not a terminal: one snapshot of the table (two stats readings a second
 * apart, for CPU %), or with `-f` the snapshot and then one line per state change as the daemon
 * pushes it, until Ctrl-C or the daemon goes.
 */
import type { Ctl } from '../ctl.js';
import { Feed, STATS_EVERY_MS } from './feed.js';
import { emptyView } from './model.js';
import { plainTable } from './render.js';

export async function runPlain(ctl: Ctl, colour: boolean, follow: boolean): Promise<void> {
  const view = emptyView();
  const stamp = () => new Date().toISOString().replace('T', ' ').slice(0, 19);
  let gone!: () => void;
  const lost = new Promise<void>((resolve) => (gone = resolve));
  let printing = false;
  const feed = new Feed(ctl, view, () => feed.lost && gone(), (e) => {
    if (!printing) return;
    const name = e.payload['groupname'] === e.payload['processname'] ? e.payload['processname'] : `${e.payload['groupname']}:${e.payload['processname']}`;
    const to = e.type.replace('PROCESS_STATE_', '');
    const pid = e.payload['pid'] ? ` pid ${e.payload['pid']}` : '';
    ctl.output(`${stamp()} ${name} ${e.payload['from_state']} -> ${to}${pid}`);
  });
  try {
    await feed.start();
    await new Promise((resolve) => setTimeout(resolve, STATS_EVERY_MS));
    await feed.stats();
    for (const line of plainTable(view, 100, Date.now(), colour)) ctl.output(line);
    if (!follow) return;
    printing = true;
    const { interrupted, dispose } = ctl.interruptible();
    await Promise.race([interrupted, lost]);
    dispose();
    if (feed.lost) ctl.outputError(feed.lost);
  } finally {
    feed.close();
  }
}

/** `avail` lines: `%-32s %-9s %-9s %s` (_formatConfigInfo). */
import type { ConfigInfo } from '@tsupervisor/protocol';
import { makeNamespec } from '../namespec.js';
import { ljust, pyCompare } from './text.js';

type Avail = Pick<ConfigInfo, 'name' | 'group' | 'inuse' | 'autostart' | 'group_prio' | 'process_prio'>;

export function availLine(info: Avail): string {
  const name = makeNamespec(info.group, info.name);
  const inuse = info.inuse ? 'in use' : 'avail';
  const autostart = info.autostart ? 'auto' : 'manual';
  return `${ljust(name, 32)} ${ljust(inuse, 9)} ${ljust(autostart, 9)} ${info.group_prio}:${info.process_prio}`;
}

/**
 * supervisord sorts getAllConfigInfo by process name (stable); sorting again here keeps `avail`
 * right whatever order a daemon sends.
 */
export function availOrder<T extends { name: string }>(infos: T[]): T[] {
  return [...infos].sort((a, b) => pyCompare(a.name, b.name));
}

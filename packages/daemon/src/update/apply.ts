/**
 * `update`: reread, then remove, replace and add groups in supervisor's order (§8): removed
 * groups are stopped and removed, changed groups are stopped, removed and added again, new
 * groups are added. A replaced fcgi group keeps its socket when the address is unchanged.
 */
import type { UpdateAction, UpdateResult } from '@tsupervisor/protocol';
import type { Supervisor } from '../supervisor.js';

export async function applyUpdate(sup: Supervisor, names: string[] = []): Promise<UpdateResult> {
  const diff = sup.reloadConfig();
  let only = new Set(names);
  if (only.has('all')) only = new Set();
  const actions: UpdateAction[] = [];
  if (only.size) {
    const known = new Set([...sup.groups.keys(), ...diff.added]);
    for (const name of only) if (!known.has(name)) actions.push({ group: name, action: 'nosuchgroup' });
  }
  const wanted = (name: string) => only.size === 0 || only.has(name);

  for (const name of diff.removed.filter(wanted)) {
    const group = sup.groups.get(name);
    if (!group) continue;
    await sup.stopProcesses(group.processes);
    actions.push({ group: name, action: 'stopped' });
    if (group.unstopped().length) {
      actions.push({ group: name, action: 'problems' });
      continue;
    }
    await sup.removeGroup(name);
    actions.push({ group: name, action: 'removed' });
  }
  for (const name of diff.changed.filter(wanted)) {
    const group = sup.groups.get(name);
    if (!group) continue;
    await sup.stopProcesses(group.processes);
    actions.push({ group: name, action: 'stopped' });
    await sup.removeGroup(name, { keepSocket: true });
    sup.addGroup(name);
    actions.push({ group: name, action: 'updated' });
  }
  for (const name of diff.added.filter(wanted)) {
    sup.addGroup(name);
    actions.push({ group: name, action: 'added' });
  }
  sup.releaseUnusedSockets();
  return { actions };
}

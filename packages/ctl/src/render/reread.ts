/** `reread` lines (_formatChanges): sorted `name: available|changed|disappeared`. */
import type { ReloadResult } from '@tsupervisor/protocol';
import { pyCompare } from './text.js';

export { pyCompare };

export function rereadLines(result: ReloadResult): string[] {
  const changes = new Map<string, string>();
  for (const name of result.added) changes.set(name, 'available');
  for (const name of result.changed) changes.set(name, 'changed');
  for (const name of result.removed) changes.set(name, 'disappeared');
  if (changes.size === 0) return ['No config updates to processes'];
  return [...changes.keys()].sort(pyCompare).map((name) => `${name}: ${changes.get(name)}`);
}

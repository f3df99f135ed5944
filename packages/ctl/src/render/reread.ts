/** `reread` lines (_formatChanges): sorted `name: available|changed|disappeared`. */
import type { ReloadResult } from '@tsupervisor/protocol';

export function rereadLines(result: ReloadResult): string[] {
  const changes = new Map<string, string>();
  for (const name of result.added) changes.set(name, 'available');
  for (const name of result.changed) changes.set(name, 'changed');
  for (const name of result.removed) changes.set(name, 'disappeared');
  if (changes.size === 0) return ['No config updates to processes'];
  return [...changes.keys()].sort(pyCompare).map((name) => `${name}: ${changes.get(name)}`);
}

/** Python's str ordering (code points). */
export function pyCompare(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i].codePointAt(0)! - y[i].codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

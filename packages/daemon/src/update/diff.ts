/**
 * Compares two sets of group configurations as supervisor's diff_to_active does: a group is
 * `changed` when any of its settings differ (where each value came from does not count).
 */
import type { ReloadResult } from '@tsupervisor/protocol';
import type { GroupConfig } from '../config/types.js';

export function comparable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(comparable);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      if (key === 'origin') continue;
      out[key] = comparable((value as Record<string, unknown>)[key]);
    }
    return out;
  }
  return value;
}

export function sameSettings(a: unknown, b: unknown): boolean {
  return JSON.stringify(comparable(a)) === JSON.stringify(comparable(b));
}

export function diffGroups(current: GroupConfig[], next: GroupConfig[]): ReloadResult {
  const cur = new Map(current.map((g) => [g.name, g]));
  const nxt = new Map(next.map((g) => [g.name, g]));
  return {
    added: next.filter((g) => !cur.has(g.name)).map((g) => g.name),
    changed: next.filter((g) => cur.has(g.name) && !sameSettings(cur.get(g.name), g)).map((g) => g.name),
    removed: current.filter((g) => !nxt.has(g.name)).map((g) => g.name),
  };
}

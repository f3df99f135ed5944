/**
 * What `top` shows, as data: one row per process (its info from the daemon's events, its figures
 * from tsupervisor.processStats), the fcgi pools, the sort, the filter and the selection. Pure
 * functions over it; screen.ts draws it (render.ts) and feeds it (keys, events, stats).
 */
import { cpuPercent, makeNamespec, restartsOf, type ProcessInfo, type ProcessStats, type SocketStats, type StatsResult } from '@tsupervisor/protocol';

export interface Row {
  name: string;
  group: string;
  statename: string;
  pid: number;
  /** When the current child started (seconds since the epoch), 0 when none runs. */
  start: number;
  cpu: number | null;
  rss: number | null;
  restarts: number | null;
  ready: boolean | null;
}

export const COLUMNS = ['name', 'state', 'pid', 'uptime', 'cpu', 'rss', 'restarts', 'ready'] as const;
export type Column = (typeof COLUMNS)[number];

export interface View {
  rows: Map<string, Row>;
  pools: SocketStats[];
  sort: { column: Column; descending: boolean };
  filter: string;
  selected: string | null;
  /** The previous stats reading of each process, for CPU %. */
  last: Map<string, { time: number; p: ProcessStats }>;
}

export function emptyView(): View {
  return { rows: new Map(), pools: [], sort: { column: 'name', descending: false }, filter: '', selected: null, last: new Map() };
}

const RUNNING_LIKE = new Set(['RUNNING', 'STOPPING']);

/** A process's info as the daemon answers it; figures are kept from the row it replaces. */
export function applyInfo(view: View, info: ProcessInfo): void {
  const name = makeNamespec(info.group, info.name);
  const old = view.rows.get(name);
  const running = RUNNING_LIKE.has(info.statename) || info.statename === 'STARTING';
  view.rows.set(name, {
    name,
    group: info.group,
    statename: info.statename,
    pid: info.pid,
    start: running && info.pid > 0 ? info.start : 0,
    cpu: info.pid > 0 ? (old?.cpu ?? null) : null,
    rss: info.pid > 0 ? (old?.rss ?? null) : null,
    restarts: old?.restarts ?? null,
    ready: old?.ready ?? null,
  });
}

/** Every process anew (start, a group added or removed). */
export function applyAll(view: View, infos: readonly ProcessInfo[]): void {
  const old = view.rows;
  view.rows = new Map();
  for (const info of infos) {
    const name = makeNamespec(info.group, info.name);
    const kept = old.get(name);
    if (kept) view.rows.set(name, kept);
    applyInfo(view, info);
  }
  if (view.selected !== null && !view.rows.has(view.selected)) view.selected = null;
}

export function applyStats(view: View, stats: StatsResult): void {
  for (const p of stats.processes) {
    const row = view.rows.get(p.name);
    const prev = view.last.get(p.name);
    const next = { time: stats.time, p };
    view.last.set(p.name, next);
    if (!row) continue;
    row.cpu = cpuPercent(prev, next);
    row.rss = p.residentBytes;
    row.restarts = restartsOf(p.spawns);
    row.ready = p.ready;
  }
  view.pools = stats.fcgi;
}

export function uptimeOf(row: Row, nowMs: number): number | null {
  return row.start > 0 ? Math.max(0, Math.floor(nowMs / 1000 - row.start)) : null;
}

function key(row: Row, column: Column, nowMs: number): string | number {
  switch (column) {
    case 'name':
      return row.name;
    case 'state':
      return row.statename;
    case 'pid':
      return row.pid;
    case 'uptime':
      return uptimeOf(row, nowMs) ?? -1;
    case 'cpu':
      return row.cpu ?? -1;
    case 'rss':
      return row.rss ?? -1;
    case 'restarts':
      return row.restarts ?? -1;
    case 'ready':
      return row.ready === null ? -1 : Number(row.ready);
  }
}

/** The rows shown: those whose name holds the filter, sorted (ties by name). */
export function visibleRows(view: View, nowMs: number): Row[] {
  const { column, descending } = view.sort;
  const needle = view.filter.toLowerCase();
  const rows = [...view.rows.values()].filter((r) => r.name.toLowerCase().includes(needle));
  return rows.sort((a, b) => {
    const ka = key(a, column, nowMs);
    const kb = key(b, column, nowMs);
    const c = ka < kb ? -1 : ka > kb ? 1 : 0;
    const byName = a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
    return (descending ? -c : c) || byName;
  });
}

/** The selected row among those shown (the first when the selection is hidden or unset). */
export function selectedRow(view: View, rows: readonly Row[]): Row | null {
  return rows.find((r) => r.name === view.selected) ?? rows[0] ?? null;
}

export function moveSelection(view: View, rows: readonly Row[], delta: number): void {
  if (rows.length === 0) return;
  const at = Math.max(0, rows.findIndex((r) => r.name === selectedRow(view, rows)?.name));
  view.selected = rows[Math.min(rows.length - 1, Math.max(0, at + delta))]!.name;
}

/** Sort by `column`; the same column again reverses. */
export function sortBy(view: View, column: Column): void {
  view.sort = view.sort.column === column ? { column, descending: !view.sort.descending } : { column, descending: column !== 'name' && column !== 'state' };
}

/**
 * What `top` shows, as data: one row per process (its info from the daemon's events, its figures
 * from tsupervisor.processStats), the fcgi pools, the sort, the filter and the selection. Over
 * several servers (the fleet) each row and pool carries its node's label (a `node` column) and
 * the nodes that do not answer are kept with the reason. Pure functions over it; screen.ts draws
 * it (render.ts) and feeds it (keys, events, stats).
 */
import { cpuPercent, makeNamespec, restartsOf, type ProcessInfo, type ProcessStats, type SocketStats, type StatsResult } from '@tsupervisor/protocol';

export interface Row {
  /** The node's label over several servers; '' for one. */
  node: string;
  /** node and name: what identifies the row (the selection, the previous stats reading). */
  key: string;
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

const PROCESS_COLUMNS = ['name', 'state', 'pid', 'uptime', 'cpu', 'rss', 'restarts', 'ready'] as const;
export type Column = 'node' | (typeof PROCESS_COLUMNS)[number];

export type Pool = SocketStats & { node: string };

export interface View {
  /** Several servers: rows carry a node column. */
  fleet: boolean;
  rows: Map<string, Row>;
  pools: Pool[];
  /** The nodes that do not answer (or went away), with why. */
  down: Map<string, string>;
  sort: { column: Column; descending: boolean };
  filter: string;
  /** The selected row's key. */
  selected: string | null;
  /** The previous stats reading of each process (by row key), for CPU %. */
  last: Map<string, { time: number; p: ProcessStats }>;
}

export function emptyView(fleet = false): View {
  return { fleet, rows: new Map(), pools: [], down: new Map(), sort: { column: 'name', descending: false }, filter: '', selected: null, last: new Map() };
}

/** The columns shown, in order (the sort keys 1… follow it). */
export function columnsOf(view: View): readonly Column[] {
  return view.fleet ? ['node', ...PROCESS_COLUMNS] : PROCESS_COLUMNS;
}

const rowKey = (node: string, name: string) => (node === '' ? name : `${node}\t${name}`);

const RUNNING_LIKE = new Set(['RUNNING', 'STOPPING']);

/** A process's info as the daemon answers it; figures are kept from the row it replaces. */
export function applyInfo(view: View, info: ProcessInfo, node = ''): void {
  const name = makeNamespec(info.group, info.name);
  const key = rowKey(node, name);
  const old = view.rows.get(key);
  const running = RUNNING_LIKE.has(info.statename) || info.statename === 'STARTING';
  view.rows.set(key, {
    node,
    key,
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

/** Every process of `node` anew (start, a group added or removed); other nodes' rows stay. */
export function applyAll(view: View, infos: readonly ProcessInfo[], node = ''): void {
  const old = view.rows;
  view.rows = new Map([...old].filter(([, row]) => row.node !== node));
  for (const info of infos) {
    const key = rowKey(node, makeNamespec(info.group, info.name));
    const kept = old.get(key);
    if (kept) view.rows.set(key, kept);
    applyInfo(view, info, node);
  }
  if (view.selected !== null && !view.rows.has(view.selected)) view.selected = null;
}

/** `node` does not answer (or went away): its rows and pools go, the reason stays. */
export function nodeDown(view: View, node: string, why: string): void {
  applyAll(view, [], node);
  view.pools = view.pools.filter((p) => p.node !== node);
  view.down.set(node, why);
}

export function applyStats(view: View, stats: StatsResult, node = ''): void {
  for (const p of stats.processes) {
    const key = rowKey(node, p.name);
    const row = view.rows.get(key);
    const prev = view.last.get(key);
    const next = { time: stats.time, p };
    view.last.set(key, next);
    if (!row) continue;
    row.cpu = cpuPercent(prev, next);
    row.rss = p.residentBytes;
    row.restarts = restartsOf(p.spawns);
    row.ready = p.ready;
  }
  view.pools = [...view.pools.filter((p) => p.node !== node), ...stats.fcgi.map((p) => ({ ...p, node }))];
}

export function uptimeOf(row: Row, nowMs: number): number | null {
  return row.start > 0 ? Math.max(0, Math.floor(nowMs / 1000 - row.start)) : null;
}

function key(row: Row, column: Column, nowMs: number): string | number {
  switch (column) {
    case 'node':
      return row.node;
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

/** The rows shown: those whose name (or node) holds the filter, sorted (ties by node and name). */
export function visibleRows(view: View, nowMs: number): Row[] {
  const { column, descending } = view.sort;
  const needle = view.filter.toLowerCase();
  const rows = [...view.rows.values()].filter((r) => r.name.toLowerCase().includes(needle) || r.node.toLowerCase().includes(needle));
  const order = (x: string | number, y: string | number) => (x < y ? -1 : x > y ? 1 : 0);
  return rows.sort((a, b) => {
    const c = order(key(a, column, nowMs), key(b, column, nowMs));
    return (descending ? -c : c) || order(a.name, b.name) || order(a.node, b.node);
  });
}

/** The selected row among those shown (the first when the selection is hidden or unset). */
export function selectedRow(view: View, rows: readonly Row[]): Row | null {
  return rows.find((r) => r.key === view.selected) ?? rows[0] ?? null;
}

export function moveSelection(view: View, rows: readonly Row[], delta: number): void {
  if (rows.length === 0) return;
  const at = Math.max(0, rows.findIndex((r) => r.key === selectedRow(view, rows)?.key));
  view.selected = rows[Math.min(rows.length - 1, Math.max(0, at + delta))]!.key;
}

/** Sort by `column`; the same column again reverses. */
export function sortBy(view: View, column: Column): void {
  view.sort = view.sort.column === column ? { column, descending: !view.sort.descending } : { column, descending: !['node', 'name', 'state'].includes(column) };
}

/**
 * One frame of `top` as lines of text (pure): a title, the nodes that are down (over several
 * servers), the process table (the selected row marked `>`, and in inverse video with colour;
 * a NODE column over several servers), the fcgi pools with their accept queues, the selected
 * process's log, and a footer with the keys, a prompt or the last message. Colour only paints
 * the state word (render/color.ts's stateColour), the down nodes, the selection and the header.
 */
import { stateColour } from '../render/color.js';
import { fit, formatBytes, formatPercent, formatUptime } from './format.js';
import { columnsOf, selectedRow, uptimeOf, visibleRows, type Column, type Pool, type Row, type View } from './model.js';

export interface Frame {
  view: View;
  width: number;
  height: number;
  colour: boolean;
  nowMs: number;
  title: string;
  /** The log pane: whose log, and its last lines. */
  logName: string | null;
  logLines: readonly string[];
  /** The footer: a prompt being typed, else a message, else the keys. */
  footer: string;
}

const SGR: Record<string, string> = { green: '32', yellow: '33', red: '31', dim: '2' };
const paint = (on: boolean, code: string, text: string) => (on ? `\x1b[${code}m${text}\x1b[0m` : text);

const HEADINGS: Record<Column, string> = { node: 'NODE', name: 'NAME', state: 'STATE', pid: 'PID', uptime: 'UPTIME', cpu: 'CPU%', rss: 'MEM', restarts: 'RESTARTS', ready: 'READY' };
const WIDTHS: Record<Exclude<Column, 'name'>, number> = { node: 12, state: 9, pid: 7, uptime: 10, cpu: 6, rss: 7, restarts: 8, ready: 5 };
const RIGHT = new Set<Column>(['pid', 'uptime', 'cpu', 'rss', 'restarts']);

export const keysHelp = (view: View) => `↑↓ select  1-${columnsOf(view).length} sort  / filter  s start  x stop  r restart  K signal  c clear  g group  A stop all  e stderr  q quit`;

function nameWidth(columns: readonly Column[], width: number): number {
  const fixed = columns.reduce((a, c) => a + (c === 'name' ? 0 : WIDTHS[c] + 1), 0) + 2;
  return Math.max(8, width - fixed);
}

function cells(view: View, values: Record<Column, string>, width: number): string[] {
  const columns = columnsOf(view);
  return columns.map((c) => fit(values[c], c === 'name' ? nameWidth(columns, width) : WIDTHS[c], RIGHT.has(c)));
}

function rowValues(row: Row, nowMs: number): Record<Column, string> {
  return {
    node: row.node,
    name: row.name,
    state: row.statename,
    pid: row.pid > 0 ? String(row.pid) : '-',
    uptime: formatUptime(uptimeOf(row, nowMs)),
    cpu: formatPercent(row.cpu),
    rss: formatBytes(row.rss),
    restarts: row.restarts === null ? '-' : String(row.restarts),
    ready: row.ready === null ? '-' : row.ready ? 'yes' : 'no',
  };
}

function poolLine(view: View, p: Pool, width: number, colour: boolean): string {
  const warn = p.queued > 0 && colour;
  const queued = fit(String(p.queued), 6, true);
  const node = view.fleet ? `${fit(p.node, WIDTHS.node)} ` : '';
  return fit(`  ${node}${fit(p.group, 20)}  ${fit(p.address, 40)}  ${warn ? paint(true, '33', queued) : queued}  ${fit(String(p.backlog), 7, true)}`, width + (warn ? 9 : 0));
}

const poolHeading = (view: View) => `  ${view.fleet ? `${fit('NODE', WIDTHS.node)} ` : ''}FCGI POOL             ADDRESS                                   QUEUED  BACKLOG`;

/** The nodes that do not answer, as one line (empty when all do). */
export function downLine(view: View): string {
  return [...view.down].map(([node, why]) => `${node} DOWN (${why})`).join('; ');
}

/** The table as plain lines (no selection, no scrolling): `top` when stdout is not a terminal. */
export function plainTable(view: View, width: number, nowMs: number, colour: boolean): string[] {
  const headings = cells(view, HEADINGS, width).join(' ');
  const lines = [`  ${headings}`.trimEnd()];
  const stateAt = columnsOf(view).indexOf('state');
  for (const row of visibleRows(view, nowMs)) {
    const c = cells(view, rowValues(row, nowMs), width);
    const colourOf = stateColour(row.statename);
    if (colour && colourOf) c[stateAt] = paint(true, SGR[colourOf]!, c[stateAt]!);
    lines.push(`  ${c.join(' ')}`.trimEnd());
  }
  if (view.pools.length > 0) lines.push('', poolHeading(view), ...view.pools.map((p) => poolLine(view, p, width, colour).trimEnd()));
  return lines;
}

/** The lines of the frame, `height` of them, each `width` columns wide (before colour codes). */
export function renderFrame(f: Frame): string[] {
  const { view, width, height, colour } = f;
  const rows = visibleRows(view, f.nowMs);
  const selected = selectedRow(view, rows);
  const out: string[] = [];
  const running = [...view.rows.values()].filter((r) => r.statename === 'RUNNING').length;
  const filter = view.filter ? `  filter: ${view.filter}` : '';
  const sort = `  sort: ${HEADINGS[view.sort.column]} ${view.sort.descending ? '↓' : '↑'}`;
  out.push(paint(colour, '1', fit(`${f.title}  ${view.rows.size} processes, ${running} running${sort}${filter}`, width)));
  const down = downLine(view);
  if (down) out.push(paint(colour, '31', fit(down, width)));
  const columns = columnsOf(view);
  const stateAt = columns.indexOf('state');
  const heads = Object.fromEntries(columns.map((c) => [c, c === view.sort.column ? `${HEADINGS[c]}${view.sort.descending ? '↓' : '↑'}` : HEADINGS[c]])) as Record<Column, string>;
  out.push(paint(colour, '7', fit(`  ${cells(view, heads, width).join(' ')}`, width)));

  const poolLines = view.pools.length > 0 ? 1 + view.pools.length : 0;
  const logHeight = Math.max(3, Math.floor((height - 4 - poolLines) / 3));
  const tableHeight = Math.max(1, height - 3 - (down ? 1 : 0) - poolLines - logHeight);
  const at = Math.max(0, rows.findIndex((r) => r === selected));
  const first = Math.min(Math.max(0, at - tableHeight + 1), Math.max(0, rows.length - tableHeight));
  for (let i = 0; i < tableHeight; i++) {
    const row = rows[first + i];
    if (!row) {
      out.push(i === 0 && rows.length === 0 ? fit(view.filter ? '  (no process matches the filter)' : '  (no processes)', width) : ''.padEnd(width));
      continue;
    }
    // every cell is cut to its width first: colour codes added after take no columns
    const c = cells(view, rowValues(row, f.nowMs), width);
    const isSelected = row === selected;
    const colourOf = stateColour(row.statename);
    if (colour && colourOf && !isSelected) c[stateAt] = paint(true, SGR[colourOf]!, c[stateAt]!);
    const line = `${isSelected ? '>' : ' '} ${c.join(' ')}`;
    out.push(isSelected && colour ? paint(true, '7', line) : line);
  }
  if (view.pools.length > 0) {
    out.push(paint(colour, '1', fit(poolHeading(view), width)));
    for (const p of view.pools) out.push(poolLine(view, p, width, colour));
  }
  const logTitle = f.logName ? `─ log: ${f.logName} ` : '─ log ';
  out.push(paint(colour, '2', fit(logTitle.padEnd(width, '─'), width)));
  const tail = f.logLines.slice(-(logHeight - 1));
  for (let i = 0; i < logHeight - 1; i++) out.push(fit(tail[i] ?? '', width));
  out.push(paint(colour, '7', fit(f.footer, width)));
  return out.slice(0, height);
}

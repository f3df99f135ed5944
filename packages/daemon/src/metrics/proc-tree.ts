/**
 * What a supervised process's tree costs, from /proc, read only when /metrics is scraped: CPU
 * seconds (utime + stime, and those of reaped children, from /proc/<pid>/stat) and resident
 * bytes (/proc/<pid>/statm) of the process and every descendant; descendants through
 * /proc/<pid>/task/<tid>/children (CONFIG_PROC_CHILDREN, Debian's kernels have it), else one
 * scan of /proc for parent pids.
 *
 * The reads are synchronous (a /proc file is in memory; a read takes microseconds) but done in
 * batches with a turn of the event loop between them, so a scrape of a thousand programs never
 * holds the daemon for long.
 */
import { closeSync, openSync, readFileSync, readSync, readdirSync } from 'node:fs';
import { procUnits } from '../native/index.js';

export interface TreeUsage {
  cpuSeconds: number;
  residentBytes: number;
}

interface Stat {
  ppid: number;
  ticks: number;
  rssPages: number;
}

/** Processes read between two turns of the event loop. */
const BATCH = 64;

let units: { clockTicks: number; pageSize: number } | null = null;
function unitsOf(): { clockTicks: number; pageSize: number } {
  try {
    units ??= procUnits();
  } catch {
    units = { clockTicks: 100, pageSize: 4096 }; // Linux's USER_HZ, x86's page
  }
  return units;
}

const buffer = Buffer.alloc(8192);

/**
 * A small /proc file: open, one read into a shared buffer, close (no fstat, no allocation);
 * one that fills the buffer (a children list of a thousand pids) is read again whole.
 */
function readSmall(path: string): string {
  const fd = openSync(path, 'r');
  let n: number;
  try {
    n = readSync(fd, buffer, 0, buffer.length, null);
  } finally {
    closeSync(fd);
  }
  return n < buffer.length ? buffer.toString('latin1', 0, n) : readFileSync(path, 'latin1');
}

/** /proc/<pid>/stat's parent, CPU ticks and resident pages; null once the process is gone. */
export function readStat(pid: number): Stat | null {
  let text: string;
  try {
    text = readSmall(`/proc/${pid}/stat`);
  } catch {
    return null;
  }
  // the command (field 2) is in parentheses and may hold spaces and ')': split after the last one
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // fields from 3 (state): ppid is 4, utime 14, stime 15, cutime 16, cstime 17, rss 24. The
  // reaped children's times (cutime, cstime) count too: a child that exits moves its time into
  // its parent's, so the tree's total does not drop when one of its processes ends.
  return { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]), rssPages: residentPages(pid) ?? Number(f[21]) };
}

/**
 * Resident pages from /proc/<pid>/statm (its second field), as VmRSS in status counts them.
 * stat's rss field reads the kernel's per-CPU counters without summing them: on 6.x kernels
 * it is up to ~10 % low for a small process (a `sleep`: 1,644 kB against 1,820 kB), which
 * made a tree's figure differ from what ps and /proc/<pid>/status say.
 */
function residentPages(pid: number): number | null {
  try {
    const text = readSmall(`/proc/${pid}/statm`);
    const space = text.indexOf(' ');
    return Number(text.slice(space + 1, text.indexOf(' ', space + 1)));
  } catch {
    return null;
  }
}

let childrenFiles: boolean | null = null;

/** The children of `pid` from its threads' children files; null where the kernel has none. */
function childrenOf(pid: number): number[] | null {
  if (childrenFiles === false) return null;
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  const out: number[] = [];
  for (const tid of tids) {
    let text: string;
    try {
      text = readSmall(`/proc/${pid}/task/${tid}/children`);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' && childrenFiles === null && tid === String(pid)) {
        childrenFiles = false;
        return null;
      }
      continue;
    }
    childrenFiles = true;
    for (const c of text.split(' ')) if (c !== '' && c !== '\n') out.push(Number(c));
  }
  return out;
}

/** Parent → children of every process on the host (the fallback without children files). */
function scanChildren(): Map<number, number[]> {
  const map = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const st = readStat(Number(name));
    if (!st) continue;
    const list = map.get(st.ppid);
    if (list) list.push(Number(name));
    else map.set(st.ppid, [Number(name)]);
  }
  return map;
}

function treeOf(root: number, scanned: () => Map<number, number[]>): TreeUsage | null {
  const { clockTicks, pageSize } = unitsOf();
  let ticks = 0;
  let pages = 0;
  let found = false;
  const todo = [root];
  const seen = new Set<number>();
  while (todo.length > 0) {
    const pid = todo.pop()!;
    if (seen.has(pid)) continue;
    seen.add(pid);
    const st = readStat(pid);
    if (!st) continue;
    found = true;
    ticks += st.ticks;
    pages += st.rssPages;
    const kids = childrenOf(pid) ?? scanned().get(pid) ?? [];
    for (const k of kids) todo.push(k);
  }
  return found ? { cpuSeconds: ticks / clockTicks, residentBytes: pages * pageSize } : null;
}

/** The usage of each pid's tree (pids that are gone are left out). */
export async function treeUsages(pids: readonly number[]): Promise<Map<number, TreeUsage>> {
  const out = new Map<number, TreeUsage>();
  let scan: Map<number, number[]> | null = null;
  const scanned = () => (scan ??= scanChildren());
  for (let i = 0; i < pids.length; i++) {
    if (i > 0 && i % BATCH === 0) await new Promise((resolve) => setImmediate(resolve));
    const usage = treeOf(pids[i]!, scanned);
    if (usage) out.set(pids[i]!, usage);
  }
  return out;
}

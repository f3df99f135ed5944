/**
 * Whether a worker still holds an accepted connection of its pool: one of its fds
 * (/proc/<pid>/fd → socket:[inode]) is a TCP socket, not listening, whose local port is the
 * pool's (/proc/net/tcp and tcp6). A drained worker holds none: nginx closes its FastCGI
 * connection after each request (fastcgi_keep_conn off, its default).
 */
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

const LISTEN = '0A';

/** Inodes of the sockets `pid` has open; null when the process is gone. */
function socketInodes(pid: number): Set<string> | null {
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return null;
  }
  const inodes = new Set<string>();
  for (const fd of fds) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]!);
    } catch {
      /* closed meanwhile */
    }
  }
  return inodes;
}

/** The inodes of TCP sockets on local `port` that are not listening (/proc/net/tcp format). */
export function connectionInodes(table: string, port: number): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const out: string[] = [];
  for (const line of table.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10 || f[3] === LISTEN) continue;
    if (f[1]!.endsWith(`:${hexPort}`) && f[9] !== '0') out.push(f[9]!);
  }
  return out;
}

/** How many connections on `port` process `pid` holds; null when it is gone. */
export function heldConnections(pid: number, port: number): number | null {
  const mine = socketInodes(pid);
  if (!mine) return null;
  if (mine.size === 0) return 0;
  let n = 0;
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let table = '';
    try {
      table = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const inode of connectionInodes(table, port)) if (mine.has(inode)) n++;
  }
  return n;
}

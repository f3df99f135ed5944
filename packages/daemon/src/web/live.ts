/**
 * `GET /events`: the web page's live feed, as Server-Sent Events on the daemon's HTTP side
 * (behind the same credentials as the page). Three kinds of message:
 * - `rows`: every process's status-page row, rendered by status-page.ts (the one renderer), at
 *   the start and after each PROCESS_STATE / PROCESS_GROUP event the daemon pushes (no polling);
 * - `stats`: once a second, each process's CPU % (protocol's cpuPercent over two
 *   tsupervisor.processStats readings), resident bytes, restarts and readiness, and the fcgi
 *   accept queues;
 * - comments (`: ping`) keep proxies from closing an idle stream.
 * Every read goes through the call pipeline (`invoke`), as the page's own reads do.
 */
import type { ServerResponse } from 'node:http';
import { cpuPercent, restartsOf, type ProcessInfo, type ProcessStats } from '@tsupervisor/protocol';
import type { Invoke } from '../calls/pipeline.js';
import { namespecOf, renderRow, sortedInfos } from './status-page.js';

export const STATS_EVERY_MS = 1000;

export interface EventFeed {
  invoke: Invoke;
  /** Receives the connection's pushed events from now on. */
  onEvent(fn: () => void): void;
}

export async function serveEvents(res: ServerResponse, feed: EventFeed): Promise<void> {
  const send = (event: string, data: unknown) => {
    if (!res.destroyed) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  };
  // one rows message at a time; events that come meanwhile make one more after it
  let busy = false;
  let again = false;
  const rows = async () => {
    if (busy) return void (again = true);
    busy = true;
    try {
      do {
        again = false;
        const infos = sortedInfos((await feed.invoke('supervisor.getAllProcessInfo', {})) as ProcessInfo[]);
        send('rows', infos.map((info, i) => ({ name: namespecOf(info), group: info.group, state: info.statename, pid: info.pid, html: renderRow(info, i) })));
      } while (again && !res.destroyed);
    } finally {
      busy = false;
    }
  };
  const last = new Map<string, { time: number; p: ProcessStats }>();
  const stats = async () => {
    const s = await feed.invoke('tsupervisor.processStats', {});
    send('stats', {
      time: s.time,
      processes: s.processes.map((p) => {
        const next = { time: s.time, p };
        const cpu = cpuPercent(last.get(p.name), next);
        last.set(p.name, next);
        return { name: p.name, cpu, rss: p.residentBytes, restarts: restartsOf(p.spawns), ready: p.ready };
      }),
      fcgi: s.fcgi,
    });
  };

  feed.onEvent(() => void rows().catch(() => res.destroy()));
  await feed.invoke('tsupervisor.subscribeEvents', { types: ['PROCESS_STATE', 'PROCESS_GROUP'] });
  res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', 'X-Accel-Buffering': 'no' });
  res.write('retry: 2000\n\n');
  await rows();
  await stats();
  let ticks = 0;
  const timer = setInterval(() => {
    if (++ticks % 15 === 0) res.write(': ping\n\n');
    void stats().catch(() => res.destroy());
  }, STATS_EVERY_MS);
  res.once('close', () => clearInterval(timer));
}

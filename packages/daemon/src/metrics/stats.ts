/**
 * `tsupervisor.processStats`: the live views' figures (`tsupervisorctl top`, the web page), read
 * by the same code as /metrics: process trees from /proc (proc-tree.ts), readiness
 * (readiness.ts), spawn counters (recorder.ts), fcgi accept queues (the native listenQueue).
 */
import { type SocketStats, type StatsResult } from '@tsupervisor/protocol';
import { treeUsages } from './proc-tree.js';
import { isReady } from './readiness.js';
import { addressQueue, type MetricsRecorder } from './recorder.js';

export async function processStats(rec: MetricsRecorder): Promise<StatsResult> {
  const processes = rec.supervisor.allLexical();
  const usages = await treeUsages(processes.map((p) => p.pid).filter((pid) => pid > 0));
  const fcgi: SocketStats[] = [];
  for (const s of rec.fcgiSockets()) {
    // every socket of the address (one per worker with socket_drain), summed as /metrics does
    let q;
    try {
      q = addressQueue(s.fds);
    } catch {
      q = null; // a socket closed under us (update, reload)
    }
    if (q) fcgi.push({ group: s.group, address: s.url, queued: q.queued, backlog: q.backlog });
  }
  return {
    time: Date.now(),
    processes: processes.map((p) => {
      const usage = p.pid > 0 ? usages.get(p.pid) : undefined;
      return {
        name: p.namespec,
        group: p.groupName,
        pid: p.pid,
        cpuSeconds: usage?.cpuSeconds ?? null,
        residentBytes: usage?.residentBytes ?? null,
        ready: isReady(p),
        spawns: rec.countersOf(p).spawns,
      };
    }),
    fcgi,
  };
}

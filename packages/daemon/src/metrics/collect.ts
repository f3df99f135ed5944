/**
 * The metric families of one scrape, built from the daemon's state as it is now: the daemon
 * itself, each process (labels group, name), each fcgi socket (labels group, address). Names and
 * units follow Prometheus' conventions: a `tsupervisor_` prefix, base units (`_seconds`,
 * `_bytes`), counters ending in `_total`, an enum as one 0/1 series per state. docs/metrics.md
 * lists them; keep it in step.
 */
import { ProcessStates, SUPERVISOR_COMPAT, VERSION, type ProcessStateName } from '@tsupervisor/protocol';
import type { Family, Sample } from './exposition.js';
import { treeUsages } from './proc-tree.js';
import { isReady } from './readiness.js';
import { addressQueue, type MetricsRecorder } from './recorder.js';

const STATES = Object.keys(ProcessStates) as ProcessStateName[];
const DAEMON_STATES = ['RUNNING', 'RESTARTING', 'SHUTDOWN'] as const;

function family(name: string, type: Family['type'], help: string, samples: Sample[], unit?: Family['unit']): Family {
  return unit ? { name, type, help, unit, samples } : { name, type, help, samples };
}

/** Every family of a scrape. Reads /proc for the process trees (in batches: see proc-tree.ts). */
export async function collect(rec: MetricsRecorder): Promise<Family[]> {
  const sup = rec.supervisor;
  const processes = sup.allLexical();
  const usages = await treeUsages(processes.map((p) => p.pid).filter((pid) => pid > 0));

  const state: Sample[] = [];
  const ready: Sample[] = [];
  const started: Sample[] = [];
  const spawns: Sample[] = [];
  const exits: Sample[] = [];
  const cpu: Sample[] = [];
  const rss: Sample[] = [];
  const logBytes: Sample[] = [];
  for (const p of processes) {
    const labels = { group: p.groupName, name: p.name };
    for (const s of STATES) state.push({ labels: { ...labels, state: s }, value: p.state === s ? 1 : 0 });
    ready.push({ labels, value: isReady(p) ? 1 : 0 });
    if (p.laststart > 0) started.push({ labels, value: p.laststart / 1000 });
    const c = rec.countersOf(p);
    spawns.push({ labels, value: c.spawns });
    exits.push({ labels: { ...labels, expected: 'true' }, value: c.exitsExpected }, { labels: { ...labels, expected: 'false' }, value: c.exitsUnexpected });
    const usage = p.pid > 0 ? usages.get(p.pid) : undefined;
    if (usage) {
      cpu.push({ labels, value: usage.cpuSeconds });
      rss.push({ labels, value: usage.residentBytes });
    }
    const logs = rec.logsOf(p);
    for (const channel of ['stdout', 'stderr'] as const) {
      const written = logs?.writtenBytes(channel);
      if (written !== null && written !== undefined) logBytes.push({ labels: { ...labels, channel }, value: written });
    }
  }

  const queued: Sample[] = [];
  const peak: Sample[] = [];
  const backlog: Sample[] = [];
  const peaks = rec.takePeaks();
  for (const s of rec.fcgiSockets()) {
    let q;
    try {
      q = addressQueue(s.fds);
    } catch {
      q = null;
    }
    if (!q) continue;
    const labels = { group: s.group, address: s.url };
    queued.push({ labels, value: q.queued });
    peak.push({ labels, value: Math.max(q.queued, peaks.get(s.url) ?? 0) });
    backlog.push({ labels, value: q.backlog });
  }

  const calls: Sample[] = [];
  for (const [key, value] of [...rec.calls].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const [method, outcome] = key.split(' ');
    calls.push({ labels: { method: method!, outcome: outcome! }, value });
  }
  const usage = process.cpuUsage();
  const identifier = sup.config.supervisord.identifier;

  return [
    family('tsupervisor_up', 'gauge', 'Whether the daemon answers (always 1 when scraped).', [{ labels: {}, value: 1 }]),
    family('tsupervisor_build_info', 'info', 'The daemon: its version, the supervisor version it speaks for, and its [supervisord] identifier.', [
      { labels: { version: VERSION, supervisor_version: SUPERVISOR_COMPAT, identifier }, value: 1 },
    ]),
    family('tsupervisor_daemon_state', 'gauge', 'The daemon state (1 for the current one).', DAEMON_STATES.map((s) => ({ labels: { state: s }, value: sup.state === s ? 1 : 0 }))),
    family('tsupervisor_daemon_start_time_seconds', 'gauge', 'When the daemon started, in seconds since the Unix epoch.', [{ labels: {}, value: rec.startedAt / 1000 }], 'seconds'),
    family('tsupervisor_daemon_cpu_seconds_total', 'counter', 'CPU time (user and system) the daemon itself has used.', [{ labels: {}, value: (usage.user + usage.system) / 1e6 }], 'seconds'),
    family('tsupervisor_daemon_resident_memory_bytes', 'gauge', 'Resident memory of the daemon itself.', [{ labels: {}, value: process.memoryUsage.rss() }], 'bytes'),
    family('tsupervisor_rpc_calls_total', 'counter', 'RPC calls (JSON-RPC, XML-RPC, web) by method and outcome: success or the fault name.', calls),
    family('tsupervisor_events_dropped_total', 'counter', 'Events discarded because an event listener pool buffer was full.', [{ labels: {}, value: rec.events.droppedEvents }]),
    family('tsupervisor_process_state', 'gauge', 'Process state (1 for the current one, 0 for the others).', state),
    family('tsupervisor_process_ready', 'gauge', 'Whether the process is ready: RUNNING, after its ready= check when it has one.', ready),
    family('tsupervisor_process_start_time_seconds', 'gauge', 'When the process was last started, in seconds since the Unix epoch.', started, 'seconds'),
    family('tsupervisor_process_spawns_total', 'counter', 'Children spawned for the process (failed spawns not counted).', spawns),
    family('tsupervisor_process_exits_total', 'counter', 'Exits of the process by whether they were expected (exitcodes, or a stop asked for).', exits),
    family('tsupervisor_process_cpu_seconds_total', 'counter', 'CPU time of the process and its descendants (reaped ones included), from /proc.', cpu, 'seconds'),
    family('tsupervisor_process_resident_memory_bytes', 'gauge', 'Resident memory of the process and its descendants, from /proc.', rss, 'bytes'),
    family('tsupervisor_process_log_written_bytes_total', 'counter', 'Bytes written to the process log file of each channel.', logBytes, 'bytes'),
    family('tsupervisor_fcgi_socket_queued_connections', 'gauge', 'Connections waiting in the fcgi socket accept queue.', queued),
    family('tsupervisor_fcgi_socket_queued_connections_peak', 'gauge', 'Highest accept-queue length seen since the previous scrape (sampled every 250 ms).', peak),
    family('tsupervisor_fcgi_socket_backlog', 'gauge', 'The accept-queue limit (listen backlog) of the fcgi socket.', backlog),
  ];
}

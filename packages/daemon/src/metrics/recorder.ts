/**
 * What /metrics needs that the daemon does not otherwise keep: counters of things as they happen
 * (spawns and exits per process, RPC calls by method and outcome), each process's log files, and
 * the peak of each fcgi socket's accept queue between scrapes. It listens to the supervisor's
 * `processState` events rather than living in the process driver; everything else /metrics
 * shows is read at scrape time (collect.ts). Loaded with the daemon; small at idle.
 */
import type { LogChannel } from '@tsupervisor/protocol';
import type { EventSystem } from '../events/index.js';
import { listenQueue } from '../native/index.js';
import type { StateChange } from '../process/host.js';
import type { Subprocess } from '../process/subprocess.js';
import type { Supervisor } from '../supervisor.js';

/** Spawns and exits of one process (a process replaced by `update` starts again from 0). */
export interface ProcessCounters {
  spawns: number;
  exitsExpected: number;
  exitsUnexpected: number;
  /** A spawned child has not been seen exiting yet. */
  live: boolean;
}

/** A process's log files, as the daemon writes them (process/child-logs.ts). */
export interface LogCounts {
  /** Bytes written to the channel's log file; null when it has none (NONE, redirected). */
  writtenBytes(channel: LogChannel): number | null;
}

/** How often a scraped daemon samples its fcgi sockets' accept queues for the peak. */
export const QUEUE_SAMPLE_MS = 250;

export class MetricsRecorder {
  readonly startedAt = Date.now();
  private readonly counters = new WeakMap<Subprocess, ProcessCounters>();
  private readonly logs = new WeakMap<object, LogCounts>();
  /** `method outcome` → calls. */
  readonly calls = new Map<string, number>();
  /** Peak accept-queue length per socket URL since the last scrape. */
  private readonly peaks = new Map<string, number>();
  private sampler: NodeJS.Timeout | null = null;

  constructor(
    readonly supervisor: Supervisor,
    readonly events: EventSystem,
  ) {
    supervisor.on('processState', (change) => this.stateChanged(change));
  }

  countersOf(p: Subprocess): ProcessCounters {
    let c = this.counters.get(p);
    if (!c) this.counters.set(p, (c = { spawns: 0, exitsExpected: 0, exitsUnexpected: 0, live: false }));
    return c;
  }

  /**
   * A spawn is an entry into STARTING that got a pid (the driver spawns, or fails to, in the same
   * turn; a failed spawn goes BACKOFF with no child). An exit is a spawned child leaving: EXITED
   * (expected as the exit code says), STOPPED (asked for: expected), BACKOFF (exited too quickly).
   */
  private stateChanged(change: StateChange): void {
    const p = change.process;
    if (change.to === 'STARTING') {
      queueMicrotask(() => {
        if (p.pid === 0) return;
        const c = this.countersOf(p);
        c.spawns += 1;
        c.live = true;
      });
      return;
    }
    if (change.snapshot.pid !== 0) return;
    const c = this.counters.get(p);
    if (!c?.live) return;
    c.live = false;
    const expected = change.to === 'EXITED' ? change.expected === true : change.to === 'STOPPED';
    if (expected) c.exitsExpected += 1;
    else c.exitsUnexpected += 1;
  }

  /** A call through the pipeline ended: `outcome` is 'success' or the fault's name. */
  recordCall = (method: string, outcome: string): void => {
    const key = `${method} ${outcome}`;
    this.calls.set(key, (this.calls.get(key) ?? 0) + 1);
  };

  /** `output` (the process's ChildOutput) writes its logs through `counts`. */
  trackLogs(output: object, counts: LogCounts): void {
    this.logs.set(output, counts);
  }

  logsOf(p: Subprocess): LogCounts | undefined {
    return this.logs.get(p.output);
  }

  /** Every fcgi socket open now (a socket_drain pool's listeners: `fds`), with the first group (by name) that holds it. */
  fcgiSockets(): Array<{ group: string; url: string; fds: number[] }> {
    const seen = new Map<string, { group: string; url: string; fds: number[] }>();
    for (const name of [...this.supervisor.groups.keys()].sort()) {
      const socket = this.supervisor.groups.get(name)!.socket;
      if (socket?.isOpen && !seen.has(socket.url)) seen.set(socket.url, { group: name, url: socket.url, fds: socket.listenerFds() });
    }
    return [...seen.values()];
  }

  /**
   * The peak accept-queue length of each socket since the last call (which starts the next
   * period); the first call starts the sampling, so a daemon that is never scraped does none.
   */
  takePeaks(): Map<string, number> {
    const taken = new Map(this.peaks);
    this.peaks.clear();
    if (!this.sampler) {
      this.sampler = setInterval(() => this.sample(), QUEUE_SAMPLE_MS);
      this.sampler.unref();
    }
    return taken;
  }

  private sample(): void {
    for (const s of this.fcgiSockets()) {
      let queued = 0;
      try {
        queued = addressQueue(s.fds)?.queued ?? 0;
      } catch {
        continue;
      }
      if (queued > (this.peaks.get(s.url) ?? 0)) this.peaks.set(s.url, queued);
    }
  }

  close(): void {
    if (this.sampler) clearInterval(this.sampler);
    this.sampler = null;
  }
}

/** The accept queue of an address: the sum over its listeners (one, or a socket_drain pool's). */
export function addressQueue(fds: number[]): { queued: number; backlog: number } | null {
  const queues = fds.map((fd) => listenQueue(fd)).filter((q) => q !== null);
  if (queues.length === 0) return null;
  return { queued: queues.reduce((n, q) => n + q.queued, 0), backlog: queues.reduce((n, q) => n + q.backlog, 0) };
}

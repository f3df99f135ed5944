/**
 * The socket_drain tests' pool (docs/fastcgi.md): nginx → the seed article's Go workers as they
 * are (ON_SIGTERM=exit: SIGTERM kills them in the middle of their requests; each request sleeps
 * 1 s), and a bounded loop of concurrent clients on nginx while ctl actions run.
 */
import assert from 'node:assert/strict';
import * as h from './harness.js';
import { poolSection, startPool, type Pool } from './fcgi-pool.js';

export const PROGRAM = 'fastcgi_test';

export interface DrainPoolOptions {
  numprocs: number;
  drain: boolean;
  /** More section lines (stopwaitsecs=…). */
  extra?: string;
}

export interface DrainPool extends Pool {
  fcgiPort: number;
  /** The section for `numprocs` workers (for `update`). */
  section(numprocs: number): string;
}

export async function drainPool(o: DrainPoolOptions): Promise<DrainPool> {
  const bin = await h.buildGoApp();
  const fcgiPort = await h.freePort();
  const section = (numprocs: number) =>
    poolSection({
      program: PROGRAM,
      socket: `tcp://127.0.0.1:${fcgiPort}`,
      command: bin,
      numprocs,
      extra: `environment=SLEEP_MS="1000",ON_SIGTERM="exit"\nsocket_drain=${o.drain}\n${o.extra ?? ''}`,
    });
  const p = await startPool({ sections: section(o.numprocs), fastcgiPass: () => `127.0.0.1:${fcgiPort}` });
  return { ...p, fcgiPort, section };
}

/** `concurrency` clients loop on nginx while `actions` run one after the other (1 s of load before, after). */
export async function loadDuring(p: Pool, actions: Array<() => Promise<void>>, concurrency = 12, path = '/loop'): Promise<h.LoopCounts> {
  const stop = new AbortController();
  const loop = h.requestLoop({ port: p.port, durationMs: 40_000, concurrency, timeoutMs: 20_000, signal: stop.signal, path });
  await h.sleep(1_000);
  try {
    for (const action of actions) await action();
    await h.sleep(1_000);
  } finally {
    stop.abort();
  }
  return loop;
}

export async function ctlOk(p: Pool, args: string[]): Promise<h.CtlResult> {
  const r = await p.d.ctl(args, 60_000);
  assert.equal(r.code, 0, JSON.stringify(r));
  return r;
}

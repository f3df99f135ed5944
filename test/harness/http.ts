/**
 * HTTP GETs to 127.0.0.1 with node:http (a fresh connection per request, no keep-alive):
 * parallel batches, and a bounded request loop that counts statuses and errors.
 */
import { request } from 'node:http';

export interface HttpResult {
  status?: number;
  body: string;
  error?: string;
  ms: number;
}

export function get(port: number, path = '/', timeoutMs = 10_000): Promise<HttpResult> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    let settled = false;
    const done = (r: Omit<HttpResult, 'ms'>) => {
      if (settled) return;
      settled = true;
      resolve({ ...r, ms: performance.now() - t0 });
    };
    const req = request({ host: '127.0.0.1', port, path, method: 'GET', agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => done({ status: res.statusCode, body }));
      res.on('error', (e) => done({ status: res.statusCode, body, error: errCode(e) }));
    });
    req.setTimeout(timeoutMs, () => {
      req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' }));
    });
    req.on('error', (e) => done({ body: '', error: errCode(e) }));
    req.end();
  });
}

function errCode(e: unknown): string {
  return (e as NodeJS.ErrnoException).code ?? String(e);
}

/** `n` GETs at once; resolves when all have answered or failed. */
export function getMany(port: number, n: number, path = '/', timeoutMs = 10_000): Promise<HttpResult[]> {
  return Promise.all(Array.from({ length: n }, (_, i) => get(port, `${path}${path.includes('?') ? '&' : '?'}i=${i}`, timeoutMs)));
}

/** The pid in a fixture answer `ProcessId: <pid>`, or undefined. */
export function pidOf(body: string): number | undefined {
  const m = /^ProcessId: (\d+)$/m.exec(body);
  return m ? Number(m[1]) : undefined;
}

export interface LoopCounts {
  total: number;
  /** status code → count ("200": 512, "502": 3) */
  statuses: Record<string, number>;
  /** error code → count ("ECONNREFUSED": 2, "TIMEOUT": 1) */
  errors: Record<string, number>;
  pids: Set<number>;
  /** the longest single request, ms */
  maxMs: number;
}

export interface LoopOptions {
  port: number;
  durationMs: number;
  /** requests in flight at once (default 4) */
  concurrency?: number;
  /** hard cap on the number of requests (default 100000) */
  maxRequests?: number;
  path?: string;
  timeoutMs?: number;
  /** Ends the loop early (no new requests after it aborts); durationMs stays the hard cap. */
  signal?: AbortSignal;
}

/**
 * Sends requests back to back from `concurrency` lanes for `durationMs` (bounded in time and in
 * count), then returns what came back. Requests still in flight at the end are awaited (each is
 * bounded by `timeoutMs`).
 */
export async function requestLoop(o: LoopOptions): Promise<LoopCounts> {
  const counts: LoopCounts = { total: 0, statuses: {}, errors: {}, pids: new Set(), maxMs: 0 };
  const end = Date.now() + o.durationMs;
  const max = o.maxRequests ?? 100_000;
  const lane = async () => {
    while (Date.now() < end && counts.total < max && !o.signal?.aborted) {
      counts.total++;
      const r = await get(o.port, o.path ?? '/loop', o.timeoutMs ?? 10_000);
      counts.maxMs = Math.max(counts.maxMs, r.ms);
      if (r.error) counts.errors[r.error] = (counts.errors[r.error] ?? 0) + 1;
      else counts.statuses[String(r.status)] = (counts.statuses[String(r.status)] ?? 0) + 1;
      const pid = pidOf(r.body);
      if (pid) counts.pids.add(pid);
    }
  };
  await Promise.all(Array.from({ length: o.concurrency ?? 4 }, lane));
  return counts;
}

/** Counts as a short line for messages: `total=812 200=810 502=2 ECONNRESET=0 maxMs=40`. */
export function describeCounts(c: LoopCounts): string {
  const parts = [`total=${c.total}`];
  for (const [k, v] of Object.entries(c.statuses)) parts.push(`${k}=${v}`);
  for (const [k, v] of Object.entries(c.errors)) parts.push(`${k}=${v}`);
  parts.push(`pids=${c.pids.size}`, `maxMs=${Math.round(c.maxMs)}`);
  return parts.join(' ');
}

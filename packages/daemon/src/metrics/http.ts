/**
 * The HTTP routes for Prometheus and orchestrators, on the daemon's HTTP side (the control
 * socket and [inet_http_server]), loaded with it:
 * - `GET /metrics`: the exposition (collect.ts), behind the server section's credentials like
 *   every other path.
 * - `GET /healthz`, `/readyz`, `/readyz/<group>` (`?json` for JSON): answered WITHOUT credentials,
 *   because orchestrators' probes usually cannot send them; they reveal only whether the daemon
 *   answers and the names of the autostart processes that are not ready.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { collect } from './collect.js';
import { CONTENT_TYPES, negotiate, render } from './exposition.js';
import { readiness } from './readiness.js';
import type { MetricsRecorder } from './recorder.js';

export function isProbePath(path: string): boolean {
  return path === '/healthz' || path === '/readyz' || path.startsWith('/readyz/');
}

function send(req: IncomingMessage, res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-cache' });
  res.end(req.method === 'HEAD' ? undefined : body);
}

const TEXT = 'text/plain; charset=utf-8';

/** A GET/HEAD is asked for; anything else is 405. */
function readOnly(req: IncomingMessage, res: ServerResponse): boolean {
  if (req.method === 'GET' || req.method === 'HEAD') return true;
  res.setHeader('Allow', 'GET, HEAD');
  send(req, res, 405, TEXT, 'method not allowed\n');
  return false;
}

/** /healthz, /readyz, /readyz/<group> (isProbePath). */
export function serveProbe(path: string, req: IncomingMessage, res: ServerResponse, rec: MetricsRecorder): void {
  if (!readOnly(req, res)) return;
  if (path === '/healthz') return send(req, res, 200, TEXT, 'ok\n');
  const group = path.startsWith('/readyz/') ? decodeURIComponent(path.slice('/readyz/'.length)) : undefined;
  const r = readiness(rec.supervisor, group);
  const json = new URLSearchParams((req.url ?? '').split('?')[1] ?? '').has('json');
  if (!r) {
    const reason = `no such group: ${group}`;
    return json ? send(req, res, 404, 'application/json', `${JSON.stringify({ ready: false, error: reason })}\n`) : send(req, res, 404, TEXT, `${reason}\n`);
  }
  const status = r.ready ? 200 : 503;
  if (json) return send(req, res, status, 'application/json', `${JSON.stringify(r)}\n`);
  const lines = r.ready ? ['ok'] : [...(r.daemon ? [r.daemon] : []), ...r.notReady.map((n) => `not ready: ${n}`)];
  send(req, res, status, TEXT, `${lines.join('\n')}\n`);
}

/** /metrics (credentials already checked). */
export async function serveMetrics(req: IncomingMessage, res: ServerResponse, rec: MetricsRecorder): Promise<void> {
  if (!readOnly(req, res)) return;
  const format = negotiate(req.headers.accept);
  send(req, res, 200, CONTENT_TYPES[format], render(await collect(rec), format));
}

/**
 * For the /metrics tests: HTTP GET over TCP or the control socket (with optional Basic auth),
 * the exposition parsed into series, and `promtool check metrics` (Debian's prometheus package).
 */
import { spawn, spawnSync } from 'node:child_process';
import http from 'node:http';

export interface Reply {
  status: number;
  type: string;
  body: string;
}

export type Target = { port: number } | { socketPath: string };

export function get(target: Target, path: string, o: { auth?: string; accept?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {};
    if (o.auth) headers['Authorization'] = `Basic ${Buffer.from(o.auth).toString('base64')}`;
    if (o.accept) headers['Accept'] = o.accept;
    const where = 'port' in target ? { host: '127.0.0.1', port: target.port } : { socketPath: target.socketPath };
    const req = http.get({ ...where, path, headers, timeout: 30_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), body }));
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${path}: timeout`)));
    req.on('error', reject);
  });
}

/** The value of the series `name{labels}` whose labels include `want` (undefined: none). */
export function value(text: string, name: string, want: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    if (Object.entries(want).every(([k, v]) => labels[k] === v)) return Number(m[3]);
  }
  return undefined;
}

export const havePromtool = spawnSync('promtool', ['--version'], { stdio: 'ignore' }).status === 0;
export const havePrometheus = spawnSync('prometheus', ['--version'], { stdio: 'ignore' }).status === 0;

/** `promtool check metrics` on `text`: its exit code and what it printed. */
export function promtoolCheck(text: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('promtool', ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
    child.stdin.end(text);
  });
}

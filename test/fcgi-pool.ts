/**
 * A FastCGI pool under the daemon with nginx in front, for the update / rolling / reload /
 * php / listen_fds / IPv6 tests: write the pool's section, start both, rewrite the section for
 * `update`, read the workers' pids, check a request loop.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import * as h from './harness.js';

export interface PoolSection {
  program: string;
  /** The `socket=` value; `@TMP@` is the daemon's temp dir. */
  socket: string;
  command: string;
  numprocs: number;
  /** More lines for the section (environment=, socket_backlog= …). */
  extra?: string;
}

export function poolSection(s: PoolSection): string {
  return `[fcgi-program:${s.program}]
socket=${s.socket}
command=${s.command}
process_name=%(program_name)s_%(process_num)02d
numprocs=${s.numprocs}
startsecs=1
stopwaitsecs=10
${s.extra ?? ''}
`;
}

export function workerNames(program: string, numprocs: number): string[] {
  return Array.from({ length: numprocs }, (_, i) => `${program}:${program}_${String(i).padStart(2, '0')}`);
}

export interface Pool {
  d: h.Daemon;
  nginx: h.Nginx;
  /** nginx's port. */
  port: number;
  /** Replace the conf's program sections (after the generated header). */
  writeSections(text: string): void;
  /** Wait until every named process is RUNNING; their pids by name. */
  running(names: string[], timeoutMs?: number): Promise<Map<string, number>>;
  /** nginx's error log and the daemon's logs, for assertion messages. */
  context(): string;
  stop(): Promise<void>;
}

export interface PoolOptions {
  sections: string;
  /** nginx's `fastcgi_pass` for the daemon's temp dir. */
  fastcgiPass: (dir: string) => string;
  root?: string;
  supervisordExtra?: string;
}

export async function startPool(o: PoolOptions): Promise<Pool> {
  const port = await h.freePort();
  const d = await h.startDaemon(o.sections, { dirMode: 0o755, supervisordExtra: o.supervisordExtra });
  let nginx: h.Nginx;
  try {
    nginx = await h.startNginx({
      listenPort: port,
      fastcgiPass: o.fastcgiPass(d.dir),
      root: o.root,
      user: process.getuid?.() === 0 ? 'nobody nogroup' : undefined,
    });
  } catch (e) {
    await d.stop();
    throw e;
  }
  const running = async (names: string[], timeoutMs = 20_000) => {
    const pids = new Map<string, number>();
    for (const n of names) pids.set(n, (await d.waitState(n, 'RUNNING', timeoutMs)).pid!);
    return pids;
  };
  return {
    d,
    nginx,
    port,
    writeSections: (text) => writeFileSync(d.conf, h.confHeader(d.dir, o.supervisordExtra) + '\n' + text.replaceAll('@TMP@', d.dir) + '\n'),
    running,
    context: () => `\n--- nginx error.log\n${nginx.errorLog()}\n${d.logs()}`,
    stop: async () => {
      await nginx.stop();
      await d.stop();
    },
  };
}

/** Every request of the loop was answered 200 (and enough of them were sent to mean something). */
export function assertAll200(counts: h.LoopCounts, what: string, context: string, min = 30): void {
  const bad = counts.total - (counts.statuses['200'] ?? 0);
  assert.ok(counts.total >= min, `${what}: too few requests to mean anything: ${h.describeCounts(counts)}`);
  assert.equal(bad, 0, `${what}: requests failed: ${h.describeCounts(counts)}${context}`);
}

/**
 * Runs `action` while a request loop goes through nginx (it starts 300 ms before and lasts
 * `durationMs`); returns the loop's counts and the action's result.
 */
export async function underLoad<T>(
  port: number,
  durationMs: number,
  action: () => Promise<T>,
  path = '/loop',
): Promise<{ counts: h.LoopCounts; result: T }> {
  const loop = h.requestLoop({ port, durationMs, concurrency: 4, timeoutMs: 15_000, path });
  await h.sleep(300);
  const result = await action();
  return { counts: await loop, result };
}

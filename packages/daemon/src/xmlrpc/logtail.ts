/**
 * supervisor's GET /logtail/<name>[/stdout|stderr] and /mainlogtail (what supervisorctl's
 * `tail -f` and `maintail -f` read): the last 1024 bytes of the log, then what is written to
 * it as it comes, in one response that never ends. An unknown name or a missing log is 404.
 * The daemon pushes the output (tsupervisor.followLogs); nothing polls the file. The follower
 * reads the file at the pace of this response's socket (rpc/log-follower.ts), so a reader that
 * stops reading holds no output in memory here.
 */
import type { ServerResponse } from 'node:http';
import { RPCFault, type LogChannel, type MethodName } from '@tsupervisor/protocol';
import type { Invoke } from '../calls/pipeline.js';

const HEAD_BYTES = 1024;

export interface LogFeed {
  invoke: Invoke;
  /** Receives the connection's pushed log chunks from now on. */
  onLog(fn: (data: string) => void): void;
}

export type LogtailTarget = { main: true } | { main: false; name: string; channel: string };

/** `/logtail/a/stderr` → a, stderr (supervisor's parsing: % unquoted, default stdout). */
export function logtailTarget(path: string): LogtailTarget | null {
  if (path.startsWith('/mainlogtail')) return { main: true };
  if (!path.startsWith('/logtail')) return null;
  let p = path;
  try {
    if (p.includes('%')) p = decodeURIComponent(p);
  } catch {
    /* left as is, as unquote would */
  }
  p = p.replace(/^\/+/, '');
  const rest = p.slice(p.indexOf('/') + 1);
  if (!p.includes('/')) return { main: false, name: '', channel: 'stdout' };
  const slash = rest.indexOf('/');
  return slash < 0 ? { main: false, name: rest, channel: 'stdout' } : { main: false, name: rest.slice(0, slash), channel: rest.slice(slash + 1) };
}

/**
 * Streams the log; resolves false (nothing written yet) when it cannot be read, so the caller
 * answers 404.
 */
export async function serveLogtail(target: LogtailTarget, res: ServerResponse, feed: LogFeed): Promise<boolean> {
  if (!target.main && (target.channel !== 'stdout' && target.channel !== 'stderr')) return false;
  if (!target.main && (target.name === '' || target.name.includes('*') || target.name.includes(','))) return false;
  let live = false;
  const early: string[] = [];
  const write = (data: string) => {
    if (res.destroyed || data === '') return;
    res.write(data);
  };
  try {
    // A log that cannot be read (an unknown name, a group, no file) is refused before anything follows it.
    await checkReadable(feed, target);
  } catch (err) {
    if (err instanceof RPCFault) return false;
    throw err;
  }
  feed.onLog((data) => (live ? write(data) : early.push(data)));
  try {
    // the head (its last 1024 bytes) and what was logged after it arrive before the answer
    const params = target.main ? { names: [], channel: 'stdout' as const, main: true } : { names: [target.name], channel: target.channel as LogChannel };
    await feed.invoke('tsupervisor.followLogs', { ...params, head: HEAD_BYTES });
    res.writeHead(200, { 'Content-Type': 'text/plain;charset=utf-8', 'X-Accel-Buffering': 'no' });
    for (const data of early.splice(0)) write(data);
    live = true;
    return true;
  } catch (err) {
    if (err instanceof RPCFault) return false;
    throw err;
  }
}

/** Reads nothing from the log, past its end: faults (BAD_NAME, NO_FILE) as a read would. */
async function checkReadable(feed: LogFeed, target: LogtailTarget): Promise<void> {
  const past = { offset: Number.MAX_SAFE_INTEGER, length: 0 };
  if (target.main) await feed.invoke('supervisor.readLog', past);
  else {
    const method: MethodName = target.channel === 'stderr' ? 'supervisor.readProcessStderrLog' : 'supervisor.readProcessStdoutLog';
    await feed.invoke(method, { name: target.name, ...past });
  }
}

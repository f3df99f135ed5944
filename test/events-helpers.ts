/**
 * Reading what the childutils recorder listener (test/fixtures/events/recorder.py) wrote, and a
 * real `tsupervisorctl events` process streaming what the daemon pushes.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ControlClient } from '@tsupervisor/protocol';
import * as h from './harness.js';

export interface Recorded {
  headers: Record<string, string>;
  payload: string;
  /** With RECORD_TIME=1 in the recorder's environment: when it arrived (s since the epoch). */
  received?: number;
}

export const RECORDER = join(h.fixturesDir, 'events', 'recorder.py');

export function readRecorded(file: string): Recorded[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Recorded);
}

/** The payload's first line as key/values. */
export function fields(r: Recorded): Record<string, string> {
  const first = r.payload.split('\n')[0]!;
  return Object.fromEntries(first.split(' ').filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf(':')), kv.slice(kv.indexOf(':') + 1)]));
}

export async function waitRecorded(d: h.Daemon, file: string, what: string, done: (rs: Recorded[]) => boolean, timeoutMs = 15_000): Promise<Recorded[]> {
  try {
    return await h.waitFor(what, () => {
      const rs = readRecorded(file);
      return done(rs) ? rs : undefined;
    }, timeoutMs, 50);
  } catch (e) {
    throw new Error(`${(e as Error).message}\nrecorded:\n${readFileSync(file, 'utf8').trim()}`);
  }
}

export interface Stream {
  child: ChildProcessWithoutNullStreams;
  lines: string[];
  stderr: () => string;
  exit: Promise<number | null>;
}

export function startStream(d: h.Daemon, args: string[]): Stream {
  const child = spawn(d.ctlCmd, ['-c', d.conf, 'events', ...args], { cwd: d.dir, stdio: ['pipe', 'pipe', 'pipe'] });
  if (child.pid) h.startedPids.add(child.pid);
  const lines: string[] = [];
  let partial = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    const parts = (partial + chunk.toString()).split('\n');
    partial = parts.pop()!;
    lines.push(...parts);
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, lines, stderr: () => stderr, exit };
}

/** Sends REMOTE_COMMUNICATION probes until the stream shows one: then it is subscribed. */
export async function untilSubscribed(rpc: ControlClient, s: Stream, match: (line: string) => boolean): Promise<void> {
  await h.waitFor('the stream to subscribe', async () => {
    await rpc.call('supervisor.sendRemoteCommEvent', { type: 'probe', data: 'ping' });
    await h.sleep(100);
    return s.lines.some(match);
  }, 10_000, 0);
}

export async function stopStream(s: Stream): Promise<number | null> {
  s.child.kill('SIGINT');
  const code = await Promise.race([s.exit, h.sleep(5_000).then(() => 'timeout' as const)]);
  if (code === 'timeout') {
    s.child.kill('SIGKILL');
    throw new Error('the stream did not end on SIGINT');
  }
  if (s.child.pid) h.startedPids.delete(s.child.pid);
  return code;
}

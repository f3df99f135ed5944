/** Reading what the childutils recorder listener (test/fixtures/events/recorder.py) wrote. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as h from './harness.js';

export interface Recorded {
  headers: Record<string, string>;
  payload: string;
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

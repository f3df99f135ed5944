/**
 * A hostile event listener (test/fixtures/events/long-line.py) that, BUSY with an event, writes
 * a RESULT line of `bytes` bytes that never ends; meanwhile `status` is timed in a loop and the
 * daemon's RSS sampled. Shared by the bounded test (events-listener-garbage.test.ts, 5 MB) and
 * the stress script (scripts/stress-listener-line.mjs, 100–200 MB).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as h from './harness.js';

export const LONG_LINE = join(h.fixturesDir, 'events', 'long-line.py');

/** The listener only hears PROCESS_STATE_STOPPED: nothing is written before `stop web`. */
export function longLineConf(bytes: number, chunk = 65536): string {
  return `
[program:web]
command=sleep 1000
startsecs=0

[eventlistener:hog]
command=${LONG_LINE} ${bytes} @TMP@/written ${chunk}
events=PROCESS_STATE_STOPPED
`;
}

export interface LongLineRun {
  /** VmRSS of the daemon before the line, in kB. */
  rssBeforeKb: number;
  /** The highest VmRSS sampled while the line was read and just after, in kB. */
  rssPeakKb: number;
  /**
   * How long the daemon took to answer each getAllProcessInfo (what `status` asks) while the
   * line was read, in ms: the daemon's own latency, without a ctl's start-up.
   */
  answerMs: number[];
  /** Calls that got no result. */
  failures: string[];
  /** How long the daemon took to read the whole line, in ms. */
  writtenMs: number;
}

/** Stops web (the event the listener waits for), then times calls until the line is read. */
export async function runLongLine(d: h.Daemon, timeoutMs: number): Promise<LongLineRun> {
  await d.waitState('hog', 'RUNNING');
  await d.waitState('web', 'RUNNING');
  const conn = await h.RawConnection.open(join(d.dir, 'supervisor.sock'));
  const rssBeforeKb = h.rssKb(d.pid);
  const rss = h.sampler(() => h.rssKb(d.pid), 50);
  const answerMs: number[] = [];
  const failures: string[] = [];
  const written = join(d.dir, 'written');
  let writtenMs = -1;
  try {
    const start = Date.now();
    conn.write(`${JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'supervisor.stopProcess', params: { name: 'web' } })}\n`);
    for (let id = 0; writtenMs < 0 || id < 2; id++) {
      const t = Date.now();
      if (id > 0) conn.write(`${JSON.stringify({ jsonrpc: '2.0', id, method: 'supervisor.getAllProcessInfo' })}\n`);
      const answer = await conn.next(60_000).catch((e: Error) => ({ error: { code: 0, message: e.message } }));
      if (id > 0) answerMs.push(Date.now() - t);
      if (!('result' in answer)) {
        if (id === 0) throw new Error(`stopProcess web: ${JSON.stringify(answer)}`);
        failures.push(JSON.stringify(answer));
      }
      if (existsSync(written)) writtenMs = Date.now() - start;
      if (Date.now() - start > timeoutMs) throw new Error(`the listener's line was not read in ${timeoutMs} ms`);
      await h.sleep(5);
    }
    await h.sleep(200);
  } finally {
    conn.destroy();
  }
  return { rssBeforeKb, rssPeakKb: Math.max(...rss.stop()), answerMs, failures, writtenMs };
}

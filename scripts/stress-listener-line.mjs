#!/usr/bin/env node
// The long version of test/events-listener-garbage.test.ts (issue 19, bug 1): an event listener
// that, BUSY with an event, writes a RESULT line of 100–200 MB with no newline. While the daemon
// reads it, getAllProcessInfo (what `status` asks) is timed in a loop and the daemon's RSS
// sampled; fails (exit 1) if a call fails or takes STRESS_ANSWER_MS (1000) or more (supervisord's
// `status` answers in under 1 s), if RSS grows by STRESS_RSS_MB (64) or more, or if the drop is
// not logged exactly once.
//
//   node scripts/stress-listener-line.mjs              # 100 MB and 200 MB
//   STRESS_MB=150 node scripts/stress-listener-line.mjs
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { h } from './bench/lib.mjs';

const { longLineConf, runLongLine } = await import(new URL('../test/dist/events-long-line.js', import.meta.url).href);
const sizes = process.env.STRESS_MB ? [Number(process.env.STRESS_MB)] : [100, 200];
const answerBound = Number(process.env.STRESS_ANSWER_MS ?? 1000);
const rssBound = Number(process.env.STRESS_RSS_MB ?? 64) * 1024;

let failed = false;
for (const mb of sizes) {
  const d = await h.startDaemon(longLineConf(mb * 1_000_000));
  try {
    const run = await runLongLine(d, 600_000);
    const slowest = Math.max(...run.answerMs);
    const grown = run.rssPeakKb - run.rssBeforeKb;
    const log = readFileSync(join(d.dir, 'supervisord.log'), 'utf8');
    const drops = (log.match(/hog: result line longer than \d+ bytes/g) ?? []).length;
    const problems = [
      ...run.failures,
      ...(slowest >= answerBound ? [`an answer took ${slowest} ms`] : []),
      ...(grown >= rssBound ? [`RSS grew by ${grown} kB`] : []),
      ...(drops !== 1 ? [`the drop was logged ${drops} times`] : []),
    ];
    console.log(`${mb} MB: read in ${run.writtenMs} ms; ${run.answerMs.length} calls, slowest answer ${slowest} ms; RSS ${run.rssBeforeKb} kB → peak ${run.rssPeakKb} kB`);
    for (const p of problems) console.log(`  FAIL ${p}`);
    failed ||= problems.length > 0;
  } finally {
    await d.stop();
  }
}
process.exit(failed ? 1 : 0);

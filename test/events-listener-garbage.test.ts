/**
 * An event listener that, BUSY with an event, writes a 5 MB RESULT line with no newline
 * (issue 19, bug 1; the 100–200 MB version is scripts/stress-listener-line.sh). Reading it used
 * to concatenate and rescan the whole buffer on each chunk and keep all of it: at 100 MB,
 * `status` took 10–16 s and the daemon's RSS passed 400 MB. Now the line is dropped once past
 * the protocol's limit, logged once with its size, and the listener goes UNKNOWN as supervisor
 * does with a bad result line. tsupervisor only: supervisord buffers such a line without end.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as h from './harness.js';
import { longLineConf, runLongLine } from './events-long-line.js';

const LINE_BYTES = 5_000_000;
/**
 * The daemon must answer getAllProcessInfo (what `status` asks) within this while it reads the
 * line (supervisord's `status` answers in well under 1 s even at 100 MB).
 */
const ANSWER_BOUND_MS = 1000;
/**
 * The daemon's RSS may grow by this much while reading the line: the pipe reader's pooled
 * buffers and the log's, not the line (measured: +6 MB; the old reader: +29 to +36 MB).
 */
const RSS_GROWTH_BOUND_KB = 16 * 1024;

test('a 5 MB RESULT line without a newline is dropped past the limit, logged once; the listener goes UNKNOWN; the daemon answers', { skip: h.defaultImpl !== 'tsupervisor', timeout: 90_000 }, async (t) => {
  const d = await h.startDaemon(longLineConf(LINE_BYTES));
  try {
    const run = await runLongLine(d, 60_000);
    t.diagnostic(`read in ${run.writtenMs} ms; answers in ${run.answerMs.join(', ')} ms; RSS ${run.rssBeforeKb} → peak ${run.rssPeakKb} kB`);
    assert.deepEqual(run.failures, []);
    assert.ok(Math.max(...run.answerMs) < ANSWER_BOUND_MS, `an answer took ${Math.max(...run.answerMs)} ms`);
    assert.ok(run.rssPeakKb - run.rssBeforeKb < RSS_GROWTH_BOUND_KB, `RSS grew by ${run.rssPeakKb - run.rssBeforeKb} kB`);

    const log = readFileSync(join(d.dir, 'supervisord.log'), 'utf8');
    const dropped = log.match(/WARN hog: result line longer than 4096 bytes \((\d+) bytes without a newline\): dropped/g) ?? [];
    assert.equal(dropped.length, 1, log);
    assert.match(log, /WARN hog: has entered the UNKNOWN state and will no longer receive events/);
    assert.ok(log.length < 64 * 1024, `the line is not copied into the main log (${log.length} bytes)`);
    // the listener keeps running (supervisor does not restart it) and its stdout log has it all
    assert.equal((await d.status('hog'))[0]?.state, 'RUNNING');
  } catch (e) {
    (e as Error).message += `\n${d.logs().slice(-4000)}`;
    throw e;
  } finally {
    await d.stop();
  }
});

/**
 * A ctl whose stdout is a pipe with a slow reader (`tsupervisorctl status | slow-consumer`)
 * must still deliver every line: it exits only after its output is flushed. Found by
 * scripts/bench/status-load.mjs, where `status` of 1,000 programs came out truncated.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as h from './harness.js';

test('status of 1,000 programs (over 64 KiB, more than a pipe holds) through a pipe whose reader waits: every line arrives', { timeout: 90_000 }, async () => {
  const d = await h.startDaemon(`
[program:p]
command=sleep 100000
process_name=%(program_name)s_%(process_num)03d
numprocs=1000
startsecs=0
`, { readyTimeoutMs: 60_000 });
  try {
    await d.waitState('p:p_999', 'RUNNING', 30_000);
    const r = await h.runCmd('sh', ['-c', `"$0" -c "$1" status | (sleep 1; wc -l)`, d.ctlCmd, d.conf], { timeoutMs: 30_000 });
    assert.equal(r.stdout.trim(), '1000', r.stderr);
  } finally {
    await d.stop();
  }
});

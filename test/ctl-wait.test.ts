/**
 * `tsupervisorctl wait` against a real daemon (issue 16): it returns 0 once the process is ready
 * (after its ready= check, not at the spawn), 1 with the reason when one goes FATAL or is
 * unknown, 124 after --timeout; `wait` with no name waits for every process (and fails on one).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as h from './harness.js';

test('wait: ready → 0, FATAL → 1 with the reason, unknown → 1, --timeout → 124', { timeout: 90_000 }, async () => {
  const tmp = h.makeTmpDir('tsv-wait-');
  const go = join(tmp.path, 'go');
  const dead = await h.freePort();
  const d = await h.startDaemon(
    `
[program:slow]
command=sleep 100
ready=exec:test -e ${go}
autostart=true

[program:broken]
command=sh -c 'exit 3'
startretries=1
startsecs=1
autostart=false

[program:never]
command=sleep 100
ready=tcp:127.0.0.1:${dead}
ready_timeout=60
`,
    { dir: tmp.path },
  );
  try {
    await d.waitState('slow', 'STARTING', 10_000);
    const waiting = d.ctl(['wait', 'slow'], 30_000);
    let finished = false;
    void waiting.then(() => (finished = true));
    await h.sleep(1000);
    assert.equal(finished, false, 'wait returned before slow was ready');
    const before = Date.now();
    writeFileSync(go, '');
    const r = await waiting;
    assert.deepEqual(r, { stdout: 'slow: ready\n', stderr: '', code: 0 });
    assert.ok(Date.now() - before < 5000);
    assert.equal((await d.status('slow'))[0]!.state, 'RUNNING');
    // already ready: at once
    assert.equal((await d.ctl(['wait', 'slow'])).code, 0);

    const start = d.ctl(['start', 'broken']);
    const failed = await d.ctl(['wait', 'broken', '--timeout', '30'], 40_000);
    await start;
    assert.equal(failed.code, 1, JSON.stringify(failed));
    assert.match(failed.stdout, /^broken: ERROR \(FATAL \(Exited too quickly \(process log may have details\)\)\)$/m);

    const unknown = await d.ctl(['wait', 'nosuch']);
    assert.deepEqual(unknown, { stdout: 'nosuch: ERROR (no such process)\n', stderr: '', code: 1 });

    const t0 = Date.now();
    const timedOut = await d.ctl(['wait', 'slow', 'never', '--timeout', '1'], 20_000);
    assert.equal(timedOut.code, 124, JSON.stringify(timedOut));
    assert.match(timedOut.stdout, /slow: ready/);
    assert.match(timedOut.stdout, /^ERROR: not ready after 1 s: .*never/m);
    assert.ok(Date.now() - t0 < 10_000);
    // no name: every process, broken's FATAL among them
    const all = await d.ctl(['wait'], 20_000);
    assert.equal(all.code, 1);
    assert.match(all.stdout, /^broken: ERROR \(FATAL/m);

    const bad = await d.ctl(['wait', '--timeout', 'soon']);
    assert.equal(bad.code, 2);
  } finally {
    await d.stop();
    tmp.remove();
  }
});

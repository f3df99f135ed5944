/**
 * Event listeners across `reexec` (issue 14): the listener process keeps running (same pid) and
 * the pool goes on where it was: its buffer, the listener's protocol state and both serials are
 * carried in the state file. A listener subscribed to PROCESS_STATE and TICK_5 records every
 * event; across two reexecs the serials and pool serials it saw go on without gap or repeat.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as h from './harness.js';
import { readRecorded, RECORDER, waitRecorded } from './events-helpers.js';
import { reexec } from './reexec-helpers.js';

test('reexec: an event listener keeps its pid; serials and pool serials go on without gap or repeat', { skip: h.defaultImpl === 'supervisor' && 'tsupervisor extension (reexec)' }, async () => {
  const conf = `
[eventlistener:rec]
command=${RECORDER} @TMP@/events.jsonl ok 0.05
events=PROCESS_STATE,TICK_5
buffer_size=100

[program:flap]
command=sleep 1.05
startsecs=0
autorestart=true
`;
  await h.withDaemon(conf, async (d) => {
    const file = `${d.dir}/events.jsonl`;
    const rec = await d.waitState('rec', 'RUNNING');
    await waitRecorded(d, file, 'a few events', (rs) => rs.length >= 3);
    for (let i = 0; i < 2; i++) await reexec(d);
    const n = readRecorded(file).length;
    const rs = await waitRecorded(d, file, 'events after the reexecs', (rs) => rs.length >= n + 6);
    assert.equal((await d.status('rec'))[0]?.pid, rec.pid, 'the listener keeps its pid');
    assert.ok(d.children().includes(rec.pid!));
    for (let i = 1; i < rs.length; i++) {
      const [a, b] = [rs[i - 1]!.headers, rs[i]!.headers];
      assert.equal(Number(b['serial']), Number(a['serial']) + 1, `serial after ${JSON.stringify(a)}: ${JSON.stringify(b)}`);
      assert.equal(Number(b['poolserial']), Number(a['poolserial']) + 1, `poolserial after ${JSON.stringify(a)}: ${JSON.stringify(b)}`);
    }
    assert.doesNotMatch(d.logs(), /reexec: stopping rec/);
  });
});

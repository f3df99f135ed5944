/**
 * The same configuration under tsupervisord and Debian's supervisord 4.2.5, the same childutils
 * listener: the events each one records must be the same, payload text included (pids and
 * serials aside). Skipped when supervisord is not installed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as h from './harness.js';
import { fields, RECORDER, waitRecorded, type Recorded } from './events-helpers.js';

const CONF = `
[program:web]
command=sh -c 'echo hello; exec sleep 1000'
stdout_events_enabled=true

[program:comm]
command=sh -c 'sleep 0.3; printf "before <!--XSUPERVISOR:BEGIN-->hi there\\nsecond line<!--XSUPERVISOR:END--> after the capture, long enough to be logged\\n"; exec sleep 1000'
stdout_capture_maxbytes=1KB

[eventlistener:rec]
command=${RECORDER} @TMP@/events.jsonl
events=PROCESS_STATE,PROCESS_GROUP,PROCESS_LOG,PROCESS_COMMUNICATION,SUPERVISOR_STATE_CHANGE_RUNNING
buffer_size=50
`;

/** Events by the process or group they are about, each as `TYPE payload` with pids replaced. */
function normalise(rs: Recorded[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const r of rs) {
    const f = fields(r);
    const who = f.processname ?? f.groupname ?? 'supervisor';
    (out[who] ??= []).push(`${r.headers.eventname} ${r.payload.replace(/pid:\d+/g, 'pid:N')}`);
  }
  return out;
}

async function record(daemonCmd: string | undefined): Promise<{ events: Record<string, string[]>; headers: string[]; log: string }> {
  const d = await h.startDaemon(CONF, daemonCmd ? { daemonCmd } : {});
  try {
    const file = join(d.dir, 'events.jsonl');
    await d.waitState('web', 'RUNNING');
    await d.waitState('comm', 'RUNNING');
    await waitRecorded(d, file, 'the start events', (rs) => rs.filter((r) => r.headers.eventname === 'PROCESS_STATE_RUNNING').length >= 3);
    assert.equal((await d.ctl(['stop', 'web'])).code, 0);
    const rs = await waitRecorded(d, file, 'web STOPPED', (all) => all.some((r) => r.headers.eventname === 'PROCESS_STATE_STOPPED'));
    for (const r of rs) assert.equal(Number(r.headers.len), [...r.payload].length);
    const headers = rs.map((r) => `ver:${r.headers.ver} server:${r.headers.server} pool:${r.headers.pool}`);
    const log = (await d.ctl(['tail', 'comm'])).stdout;
    return { events: normalise(rs), headers: [...new Set(headers)], log };
  } finally {
    await d.stop();
  }
}

test('payloads match supervisord 4.2.5 for the same config', { skip: !existsSync('/usr/bin/supervisord') && 'no supervisord' }, async () => {
  const ours = await record(undefined);
  const theirs = await record('supervisord');
  assert.deepEqual(ours.headers, theirs.headers);
  assert.deepEqual(ours.events, theirs.events);
  assert.deepEqual(ours.events.comm?.filter((e) => e.startsWith('PROCESS_COMMUNICATION')), [
    'PROCESS_COMMUNICATION_STDOUT processname:comm groupname:comm pid:N\nhi there\nsecond line',
  ]);
  assert.deepEqual(ours.events.web?.filter((e) => e.startsWith('PROCESS_LOG')), [
    'PROCESS_LOG_STDOUT processname:web groupname:web pid:N channel:stdout\nhello\n',
  ]);
  assert.equal(ours.log, 'before  after the capture, long enough to be logged\n\n'); // tail's output() adds a newline
  assert.equal(theirs.log, ours.log);
});

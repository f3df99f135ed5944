/**
 * [eventlistener:x] pools with a real listener written against supervisor's own helper
 * (`supervisor.childutils`, test/fixtures/events/recorder.py), run under the real daemon.
 * These pass against Debian's supervisord 4.2.5 too (`SUPERVISORD=supervisord`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fields, readRecorded, RECORDER, waitRecorded, type Recorded } from './events-helpers.js';
import * as h from './harness.js';

async function withDaemon(conf: string, body: (d: h.Daemon) => Promise<void>): Promise<void> {
  const d = await h.startDaemon(conf.replaceAll('@RECORDER@', RECORDER));
  try {
    await body(d);
  } catch (e) {
    (e as Error).message += `\n${d.logs()}`;
    throw e;
  } finally {
    await d.stop();
  }
}

const of = (name: string) => (r: Recorded) => fields(r).processname === name;
const summary = (r: Recorded) => {
  const f = fields(r);
  return `${r.headers.eventname} from_state:${f.from_state}${'expected' in f ? ` expected:${f.expected}` : ''}${'tries' in f ? ` tries:${f.tries}` : ''}`;
};

test('PROCESS_STATE events of start, stop and a crash reach a childutils listener', async () => {
  await withDaemon(
    `
[program:web]
command=sleep 1000
startsecs=0

[eventlistener:rec]
command=@RECORDER@ @TMP@/events.jsonl
events=PROCESS_STATE
`,
    async (d) => {
      const file = join(d.dir, 'events.jsonl');
      await d.waitState('rec', 'RUNNING');
      const p1 = (await d.waitState('web', 'RUNNING')).pid!;
      await waitRecorded(d, file, 'web RUNNING', (rs) => rs.filter(of('web')).length >= 2);
      assert.equal((await d.ctl(['stop', 'web'])).code, 0);
      assert.equal((await d.ctl(['start', 'web'])).code, 0);
      const p2 = (await d.status('web'))[0]!.pid!;
      process.kill(p2, 'SIGKILL');
      const rs = await waitRecorded(d, file, '9 events of web', (all) => all.filter(of('web')).length >= 9);
      const web = rs.filter(of('web'));
      const p3 = (await d.waitState('web', 'RUNNING')).pid!;
      assert.deepEqual(web.map(summary), [
        'PROCESS_STATE_STARTING from_state:STOPPED tries:0',
        'PROCESS_STATE_RUNNING from_state:STARTING',
        'PROCESS_STATE_STOPPING from_state:RUNNING',
        'PROCESS_STATE_STOPPED from_state:STOPPING',
        'PROCESS_STATE_STARTING from_state:STOPPED tries:0',
        'PROCESS_STATE_RUNNING from_state:STARTING',
        'PROCESS_STATE_EXITED from_state:RUNNING expected:0',
        'PROCESS_STATE_STARTING from_state:EXITED tries:0',
        'PROCESS_STATE_RUNNING from_state:STARTING',
      ]);
      assert.deepEqual(web.map((r) => fields(r).pid), [undefined, p1, p1, p1, undefined, p2, p2, undefined, p3].map((p) => p && String(p)));
      for (const r of web) {
        assert.deepEqual(Object.keys(fields(r)).slice(0, 3), ['processname', 'groupname', 'from_state']);
        assert.equal(fields(r).groupname, 'web');
      }
      // the listener's own start comes first; header fields as supervisor writes them
      assert.deepEqual(rs.slice(0, 2).map((r) => `${fields(r).processname} ${r.headers.eventname}`).sort(), [
        'rec PROCESS_STATE_STARTING',
        'web PROCESS_STATE_STARTING',
      ]);
      rs.forEach((r, i) => {
        assert.deepEqual(Object.keys(r.headers), ['ver', 'server', 'serial', 'pool', 'poolserial', 'eventname', 'len']);
        assert.equal(r.headers.ver, '3.0');
        assert.equal(r.headers.server, 'supervisor');
        assert.equal(r.headers.pool, 'rec');
        assert.equal(r.headers.poolserial, String(i));
        assert.equal(Number(r.headers.len), [...r.payload].length);
        if (i > 0) assert.ok(Number(r.headers.serial) > Number(rs[i - 1]!.headers.serial));
      });
    },
  );
});

test('a listener answering FAIL gets the same event again', async () => {
  await withDaemon(
    `
[program:web]
command=sleep 1000
startsecs=0
autostart=false

[eventlistener:rec]
command=@RECORDER@ @TMP@/events.jsonl fail-first
events=PROCESS_STATE
`,
    async (d) => {
      const file = join(d.dir, 'events.jsonl');
      await d.waitState('rec', 'RUNNING');
      await d.ctl(['start', 'web']);
      const rs = await waitRecorded(d, file, 'web RUNNING twice', (all) => all.filter(of('web')).length >= 4);
      assert.equal(rs.length % 2, 0);
      for (let i = 0; i < rs.length; i += 2) assert.deepEqual(rs[i], rs[i + 1], `record ${i} comes twice`);
      assert.deepEqual(rs.filter(of('web')).map((r) => r.headers.eventname), [
        'PROCESS_STATE_STARTING',
        'PROCESS_STATE_STARTING',
        'PROCESS_STATE_RUNNING',
        'PROCESS_STATE_RUNNING',
      ]);
      assert.match(d.logs(), /WARN rec: event was rejected/);
    },
  );
});

test('a full buffer drops the oldest events and says so in the main log', async () => {
  await withDaemon(
    `
[program:web]
command=sleep 1000
startsecs=0
autostart=false

[eventlistener:rec]
command=@RECORDER@ @TMP@/events.jsonl
events=PROCESS_STATE
buffer_size=3
autostart=false
startsecs=0
`,
    async (d) => {
      const file = join(d.dir, 'events.jsonl');
      assert.equal((await d.ctl(['start', 'web'])).code, 0);
      assert.equal((await d.ctl(['stop', 'web'])).code, 0);
      assert.equal((await d.ctl(['start', 'rec'])).code, 0);
      const rs = await waitRecorded(d, file, '3 events', (all) => all.length >= 3);
      await h.sleep(300);
      assert.deepEqual(readRecorded(file).map((r) => `${fields(r).processname} ${r.headers.eventname} ${r.headers.serial}`), [
        'web PROCESS_STATE_STOPPED 3',
        'rec PROCESS_STATE_STARTING 4',
        'rec PROCESS_STATE_RUNNING 5',
      ]);
      assert.equal(rs.length, 3);
      for (const serial of [0, 1, 2]) assert.match(d.logs(), new RegExp(`ERRO pool rec event buffer overflowed, discarding event ${serial}\\n`));
    },
  );
});

test('a listener that dies while busy gets its event again after the restart', async () => {
  await withDaemon(
    `
[eventlistener:rec]
command=@RECORDER@ @TMP@/events.jsonl die-first
events=PROCESS_STATE_RUNNING
`,
    async (d) => {
      const file = join(d.dir, 'events.jsonl');
      const rs = await waitRecorded(d, file, 'three deliveries', (all) => all.length >= 3);
      assert.deepEqual(rs[0], rs[1], 'the event in flight is sent again');
      assert.deepEqual(rs.slice(0, 3).map((r) => r.headers.eventname), Array(3).fill('PROCESS_STATE_RUNNING'));
      assert.notEqual(fields(rs[2]!).pid, fields(rs[0]!).pid);
    },
  );
});

test('TICK_5 arrives at a 5 s boundary', async () => {
  await withDaemon(
    `
[eventlistener:rec]
command=@RECORDER@ @TMP@/events.jsonl
events=TICK_5
`,
    async (d) => {
      const rs = await waitRecorded(d, join(d.dir, 'events.jsonl'), 'a TICK_5', (all) => all.length >= 1, 15_000);
      const r = rs[0]!;
      assert.equal(r.headers.eventname, 'TICK_5');
      const m = /^when:(\d+)$/.exec(r.payload);
      assert.ok(m, r.payload);
      const when = Number(m[1]);
      assert.equal(when % 5, 0);
      assert.ok(Math.abs(Date.now() / 1000 - when) < 15, `when:${when} is now`);
    },
  );
});

test('PROCESS_LOG_STDOUT with stdout_events_enabled (and nothing from stderr without it)', async () => {
  await withDaemon(
    `
[program:web]
command=sh -c 'echo hello; echo oops >&2; exec sleep 1000'
stdout_events_enabled=true

[eventlistener:rec]
command=@RECORDER@ @TMP@/events.jsonl
events=PROCESS_LOG
`,
    async (d) => {
      const pid = (await d.waitState('web', 'RUNNING')).pid!;
      const rs = await waitRecorded(d, join(d.dir, 'events.jsonl'), 'a PROCESS_LOG event', (all) => all.length >= 1);
      await h.sleep(300);
      assert.deepEqual(readRecorded(join(d.dir, 'events.jsonl')), rs);
      assert.equal(rs.length, 1);
      assert.equal(rs[0]!.headers.eventname, 'PROCESS_LOG_STDOUT');
      assert.equal(rs[0]!.payload, `processname:web groupname:web pid:${pid} channel:stdout\nhello\n`);
    },
  );
});

test('capture mode with redirect_stderr: a section written to stderr is a PROCESS_COMMUNICATION_STDOUT event', async () => {
  await withDaemon(
    `
[program:web]
command=sh -c 'printf "<!--XSUPERVISOR:BEGIN-->from stderr<!--XSUPERVISOR:END-->" >&2; exec sleep 1000'
redirect_stderr=true
stdout_capture_maxbytes=100

[eventlistener:rec]
command=@RECORDER@ @TMP@/events.jsonl
events=PROCESS_COMMUNICATION
`,
    async (d) => {
      const pid = (await d.waitState('web', 'RUNNING')).pid!;
      const rs = await waitRecorded(d, join(d.dir, 'events.jsonl'), 'a PROCESS_COMMUNICATION event', (all) => all.length >= 1);
      assert.equal(rs[0]!.headers.eventname, 'PROCESS_COMMUNICATION_STDOUT');
      assert.equal(rs[0]!.payload, `processname:web groupname:web pid:${pid}\nfrom stderr`);
    },
  );
});

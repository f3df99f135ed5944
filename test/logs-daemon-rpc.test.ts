/**
 * The log RPCs on the control socket (ControlClient from @tsupervisor/protocol):
 * readProcessStdoutLog / tailProcessStdoutLog / readLog offsets, negative offsets, overflow and
 * faults (every expected value below was read from supervisord 4.2.5 over XML-RPC with the same
 * log), and tsupervisor.followLogs pushing each chunk as a notification.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ControlClient, Faults, RPCFault } from '@tsupervisor/protocol';
import * as h from './harness.js';
import { isTs, logDir, numbered, numberedText, read, withDaemon } from './logs-helpers.js';

const ABC = 'abcdefghij'.repeat(10);

async function withClient(d: h.Daemon, body: (c: ControlClient) => Promise<void>): Promise<void> {
  const c = await ControlClient.connect(join(d.dir, 'supervisor.sock'));
  try {
    await body(c);
  } finally {
    c.close();
  }
}

async function fault(p: Promise<unknown>): Promise<number> {
  try {
    await p;
  } catch (err) {
    if (err instanceof RPCFault) return err.code;
    throw err;
  }
  assert.fail('expected a fault');
}

test('readProcessStdoutLog, tailProcessStdoutLog, readLog: offsets, negative offsets, overflow, faults', { skip: !isTs && 'JSON-RPC control socket' }, async () => {
  await withDaemon(
    `
[program:abc]
command=sh -c "printf 'abcdefghij%%.0s' 1 2 3 4 5 6 7 8 9 10; exec sleep 1000"
startsecs=0
stdout_logfile=%(here)s/abc.log

[program:none]
command=sleep 1000
startsecs=0
stdout_logfile=NONE
`,
    async (d) => {
      await h.waitFor('the log', () => read(logDir(d, 'abc.log')) === ABC, 5_000);
      await withClient(d, async (c) => {
        const readAt = (offset: number, length: number) => c.call('supervisor.readProcessStdoutLog', { name: 'abc', offset, length });
        const tailAt = (offset: number, length: number) => c.call('supervisor.tailProcessStdoutLog', { name: 'abc', offset, length });
        assert.equal(await readAt(0, 0), ABC);
        assert.equal(await readAt(10, 5), 'abcde');
        assert.equal(await readAt(95, 10), 'fghij');
        assert.equal(await readAt(200, 10), '');
        assert.equal(await readAt(100, 0), '');
        assert.equal(await readAt(-10, 0), 'abcdefghij');
        assert.equal(await readAt(-200, 0), ABC);
        assert.equal(await fault(readAt(-10, 5)), Faults.BAD_ARGUMENTS);
        assert.equal(await fault(readAt(0, -1)), Faults.BAD_ARGUMENTS);

        const tail = async (offset: number, length: number) => {
          const r = await tailAt(offset, length);
          return [r.bytes, r.offset, r.overflow];
        };
        assert.deepEqual(await tail(0, 10), ['abcdefghij', 100, true]);
        assert.deepEqual(await tail(95, 10), ['abcdefghij', 100, false]);
        assert.deepEqual(await tail(100, 10), ['', 100, false]);
        assert.deepEqual(await tail(90, 10), ['abcdefghij', 100, false]);
        assert.deepEqual(await tail(0, 200), [ABC, 100, false]);
        assert.deepEqual(await tail(150, 10), ['', 100, false]);
        assert.deepEqual(await tail(-5, 10), ['abcdefghij', 100, true]);

        assert.equal(await fault(c.call('supervisor.readProcessStdoutLog', { name: 'none', offset: 0, length: 0 })), Faults.NO_FILE);
        const none = await c.call('supervisor.tailProcessStdoutLog', { name: 'none', offset: 0, length: 10 });
        assert.deepEqual([none.bytes, none.offset, none.overflow], ['', 0, false]);
        assert.equal(await fault(c.call('supervisor.readProcessStdoutLog', { name: 'nosuch', offset: 0, length: 0 })), Faults.BAD_NAME);
        assert.equal(await fault(c.call('supervisor.tailProcessStdoutLog', { name: 'nosuch', offset: 0, length: 10 })), Faults.BAD_NAME);

        const mainLog = read(logDir(d, 'supervisord.log'));
        assert.equal(await c.call('supervisor.readLog', { offset: 0, length: 30 }), mainLog.slice(0, 30));
        assert.equal(await c.call('supervisor.readLog', { offset: -50, length: 0 }), mainLog.slice(-50));
        assert.equal(await fault(c.call('supervisor.readLog', { offset: -50, length: 5 })), Faults.BAD_ARGUMENTS);
      });
    },
  );
});

test('tsupervisor.followLogs pushes each chunk as it is logged (a group, the main log); closing the connection ends it', { skip: !isTs && 'tsupervisor extension' }, async () => {
  await withDaemon(
    `
[program:tick]
command=${numbered(100000, '0.02')}
process_name=tick_%(process_num)d
numprocs=2
startsecs=0
stdout_logfile=%(here)s/tick_%(process_num)d.log
`,
    async (d) => {
      await d.waitState('tick:tick_1', 'RUNNING');
      await withClient(d, async (c) => {
        const got = new Map<string, string>();
        c.onNotification('tsupervisor.log', ({ name, channel, data }) => {
          assert.equal(channel, 'stdout');
          got.set(name, (got.get(name) ?? '') + data);
        });
        const names = await c.call('tsupervisor.followLogs', { names: ['tick:*'], channel: 'stdout', main: false });
        assert.deepEqual([...names].sort(), ['tick:tick_0', 'tick:tick_1']);
        await h.waitFor('ten lines from each', () => names.every((n) => (got.get(n) ?? '').split('\n').length > 10), 10_000);
        for (const n of names) {
          const text = got.get(n)!;
          const whole = text.slice(0, text.lastIndexOf('\n') + 1);
          const first = Number(whole.slice(5, 13));
          assert.equal(whole, numberedText(first, first + whole.split('\n').length - 2), `${n}: every pushed line once, in order`);
          // (pushed as read: the write to the file may still be under way)
          await h.waitFor(`${n}: the same bytes in its log`, () => read(logDir(d, `${n.slice(5)}.log`)).includes(whole), 5_000);
        }
      });
      await withClient(d, async (c) => {
        let main = '';
        c.onNotification('tsupervisor.log', ({ name, data }) => {
          assert.equal(name, 'supervisord');
          main += data;
        });
        assert.deepEqual(await c.call('tsupervisor.followLogs', { names: [], channel: 'stdout', main: true }), ['supervisord']);
        await d.ctl(['stop', 'tick:tick_0']);
        await h.waitFor('the stop in the main log', () => /stopped: tick_0 \(terminated by SIGTERM\)\n/.test(main), 5_000);
        assert.ok(!main.includes('line 0'), 'no child output in the main log feed');
      });
      assert.equal(await fault(withClient(d, (c) => c.call('tsupervisor.followLogs', { names: ['nosuch'], channel: 'stdout', main: false }).then(() => undefined))), Faults.BAD_NAME);
    },
  );
});

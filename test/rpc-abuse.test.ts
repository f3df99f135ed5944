/**
 * The control socket under bad input: malformed frames, wrong types, unknown methods, frames
 * over the limit, thousands of idle connections, clients that vanish mid-request, a log
 * follower that never reads while a program floods its log, and pipelined requests whose
 * answers are never read. Each gets a JSON-RPC error or is closed; the daemon keeps serving
 * others and its resident memory (VmRSS) stays bounded.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { METHOD_NAMES } from '@tsupervisor/protocol';
import * as h from './harness.js';

const PROGRAMS = `
[program:a]
command=sleep 1000
startsecs=0

[program:slow]
command=sleep 1000
startsecs=1
autostart=false
`;

async function withDaemon(conf: string, body: (d: h.Daemon, sock: string) => Promise<void>): Promise<void> {
  const d = await h.startDaemon(conf);
  try {
    await body(d, join(d.dir, 'supervisor.sock'));
    assert.ok(h.isAlive(d.pid), 'the daemon is alive');
    assert.doesNotMatch(d.logs(), /CRIT .*(uncaught|unhandled)/, 'no uncaught error in the daemon');
  } catch (e) {
    (e as Error).message += `\n${d.logs()}`;
    throw e;
  } finally {
    await d.stop();
  }
}

/** The daemon still answers a fresh client, quickly. */
async function assertServing(d: h.Daemon, sock: string, withinMs = 3000): Promise<void> {
  const t0 = Date.now();
  const c = await h.RawConnection.open(sock);
  try {
    const m = await c.call('supervisor.getPID', undefined, withinMs);
    assert.equal(m.result, d.pid);
  } finally {
    c.destroy();
  }
  const st = await d.ctl(['status', 'a']);
  assert.match(st.stdout, /^a\s+RUNNING/, st.stdout + st.stderr);
  assert.ok(Date.now() - t0 < withinMs * 2, `answered in ${Date.now() - t0} ms`);
}

const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);

test('malformed frames and wrong params each get a JSON-RPC error; the connection keeps serving', { timeout: 60_000 }, async () => {
  await withDaemon(PROGRAMS, async (d, sock) => {
    const c = await h.RawConnection.open(sock);
    const cases: Array<[string | Buffer, number, unknown]> = [
      ['{bad', -32700, null],
      [Buffer.from([0xff, 0xfe, 0x00, 0x7b]), -32700, null],
      ['[]', -32600, null],
      ['[{"jsonrpc":"2.0","id":1,"method":"supervisor.getPID"}]', -32600, null],
      ['null', -32600, null],
      ['5', -32600, null],
      ['"str"', -32600, null],
      ['true', -32600, null],
      [deep(5000), -32600, null],
      ['{"jsonrpc":"1.0","id":1,"method":"supervisor.getPID"}', -32600, 1],
      ['{"jsonrpc":"2.0","id":2}', -32600, 2],
      ['{"jsonrpc":"2.0","id":3,"method":5}', -32600, 3],
      ['{"jsonrpc":"2.0","id":{"a":1},"method":"supervisor.getPID"}', -32600, null],
      ['{"jsonrpc":"2.0","id":[1],"method":"supervisor.getPID"}', -32600, null],
      ['{"jsonrpc":"2.0","id":4,"method":"no.such.method"}', -32601, 4],
      ['{"jsonrpc":"2.0","id":5,"method":"__proto__"}', -32601, 5],
      ['{"jsonrpc":"2.0","id":6,"method":"supervisor.getPID","params":[1]}', -32602, 6],
      ['{"jsonrpc":"2.0","id":7,"method":"supervisor.getPID","params":"x"}', -32602, 7],
      ['{"jsonrpc":"2.0","id":8,"method":"supervisor.startProcess","params":{"name":5}}', 2, 8],
      ['{"jsonrpc":"2.0","id":9,"method":"supervisor.startProcess","params":{}}', 2, 9],
      ['{"jsonrpc":"2.0","id":10,"method":"supervisor.getProcessInfo","params":{"__proto__":{"name":"a"}}}', 2, 10],
      ['{"jsonrpc":"2.0","id":11,"method":"supervisor.readLog","params":{"offset":"0","length":1}}', 2, 11],
      ['{"jsonrpc":"2.0","id":12,"method":"supervisor.readLog","params":{"offset":1e999,"length":1}}', 2, 12],
      ['{"jsonrpc":"2.0","id":13,"method":"supervisor.signalProcess","params":{"name":"a","signal":"BOGUS"}}', 11, 13],
      ['{"jsonrpc":"2.0","id":14,"method":"supervisor.signalProcess","params":{"name":"a","signal":1.5}}', 2, 14],
      ['{"jsonrpc":"2.0","id":15,"method":"supervisor.getProcessInfo","params":{"name":"constructor"}}', 10, 15],
      ['{"jsonrpc":"2.0","id":16,"method":"tsupervisor.followLogs","params":{"names":["a"],"channel":"stdin"}}', 3, 16],
      ['{"jsonrpc":"2.0","id":17,"method":"tsupervisor.followLogs","params":{"names":"a","channel":"stdout"}}', 2, 17],
      [`{"jsonrpc":"2.0","id":18,"method":"supervisor.getProcessInfo","params":{"name":${JSON.stringify('\u0000\uffff\ud800'.repeat(1000))}}}`, 10, 18],
      [`{"jsonrpc":"2.0","id":19,"method":"supervisor.startProcess","params":{"name":${deep(3000).replace(/^\[/, '[1,')}}}`, 2, 19],
    ];
    try {
      for (const [frame, code, id] of cases) {
        c.write(Buffer.concat([Buffer.isBuffer(frame) ? frame : Buffer.from(frame), Buffer.from('\n')]));
        const m = await c.next();
        const shown = String(frame).slice(0, 100);
        assert.equal(m.error?.code, code, `${shown}: ${JSON.stringify(m).slice(0, 300)}`);
        assert.deepEqual(m.id, id, `${shown}: id`);
      }
      // A notification (no id) is not answered, even for an unknown method; blank lines are skipped.
      c.write('{"jsonrpc":"2.0","method":"no.such.method"}\n\n   \n');
      c.request(99, 'supervisor.getPID');
      assert.deepEqual(await c.next(), { jsonrpc: '2.0', id: 99, result: d.pid });

      // Every method with params of the wrong types: an answer (error or result), never a hang.
      const garbage = { name: 5, wait: 'yes', signal: [], offset: 'a', length: {}, chars: 1, names: 'x', channel: 3, types: 'x', type: 1, data: 2, main: 'no' };
      for (const method of METHOD_NAMES) {
        // these end or replace the daemon (reexec executes it again: the connection closes)
        if (method === 'supervisor.shutdown' || method === 'supervisor.restart' || method === 'tsupervisor.reexec') continue;
        const m = await c.call(method, garbage);
        assert.ok(m.error || 'result' in m, `${method}: ${JSON.stringify(m)}`);
        if (/Process|ProcessGroup|followLogs|sendRemoteComm|readLog/.test(method) && !/All/.test(method)) {
          assert.equal(m.error?.code, 2, `${method} with wrong types: ${JSON.stringify(m)}`);
        }
      }
    } finally {
      c.destroy();
    }
    await assertServing(d, sock);
  });
});

test('a frame over 1 MiB gets FRAME_TOO_LARGE and the connection is closed; one just under is served', { timeout: 60_000 }, async () => {
  await withDaemon(PROGRAMS, async (d, sock) => {
    const pad = 'x'.repeat(1024 * 1024 - 100);
    const ok = await h.RawConnection.open(sock);
    ok.write(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'supervisor.getPID', params: { p: pad.slice(0, pad.length - 60) } }) + '\n');
    assert.deepEqual(await ok.next(), { jsonrpc: '2.0', id: 1, result: d.pid });
    ok.destroy();

    const rss0 = h.rssKb(d.pid);
    for (const size of [1024 * 1024 + 1, 64 * 1024 * 1024]) {
      const big = await h.RawConnection.open(sock);
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      let sent = 0;
      const write = () => {
        while (sent < size && !big.closed) {
          sent += chunk.length;
          if (!big.socket.write(chunk)) return void big.socket.once('drain', write);
        }
      };
      write();
      const m = await big.next(10_000);
      assert.equal(m.error?.code, -32001, JSON.stringify(m));
      assert.ok(await big.waitClosed(5000), 'the daemon closes the connection');
      big.destroy();
    }
    assert.ok(h.rssKb(d.pid) - rss0 < 32 * 1024, `RSS grew by ${h.rssKb(d.pid) - rss0} kB`);
    await assertServing(d, sock);
  });
});

test('2,000 idle connections (some holding half a frame): others are served, RSS stays bounded, all are released', { timeout: 120_000 }, async (t) => {
  await withDaemon(PROGRAMS, async (d, sock) => {
    const fd0 = readFdCount(d.pid);
    const rss0 = h.rssKb(d.pid);
    const conns: h.RawConnection[] = [];
    for (let batch = 0; batch < 10; batch++) {
      conns.push(...(await Promise.all(Array.from({ length: 200 }, () => h.RawConnection.open(sock, 10_000)))));
    }
    conns.forEach((c, i) => i % 2 === 0 && c.write('{"jsonrpc":"2.0","id":1,"method":"supervisor.getP'));
    await h.sleep(500);
    await assertServing(d, sock, 5000);
    const grown = h.rssKb(d.pid) - rss0;
    t.diagnostic(`2,000 connections: RSS ${rss0} kB → +${grown} kB`);
    assert.ok(grown < 64 * 1024, `RSS grew by ${grown} kB with 2,000 connections`);
    assert.ok(conns.every((c) => !c.closed), 'idle connections are kept');
    for (const c of conns) c.destroy();
    await h.waitFor('the daemon to release the connections', () => readFdCount(d.pid) <= fd0 + 5, 10_000);
    await assertServing(d, sock);
  });
});

function readFdCount(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return 0;
  }
}

test('clients that disconnect mid-request leave the daemon serving and consistent', { timeout: 90_000 }, async () => {
  await withDaemon(PROGRAMS, async (d, sock) => {
    const frames = [
      '{"jsonrpc":"2.0","id":1,"method":"supervisor.getAllProc',
      '{"jsonrpc":"2.0","id":1,"method":"supervisor.startProcess","params":{"name":"slow","wait":true}}\n',
      '{"jsonrpc":"2.0","id":1,"method":"supervisor.stopProcess","params":{"name":"slow","wait":true}}\n',
      '{"jsonrpc":"2.0","id":1,"method":"supervisor.readLog","params":{"offset":0,"length":0}}\n',
      '{"jsonrpc":"2.0","id":1,"method":"tsupervisor.followLogs","params":{"names":["a"],"channel":"stdout","main":true}}\n',
      '{"jsonrpc":"2.0","id":1,"method":"tsupervisor.subscribeEvents","params":{"types":["EVENT"]}}\n',
    ];
    for (let round = 0; round < 40; round++) {
      await Promise.all(
        frames.map(async (f, i) => {
          const c = await h.RawConnection.open(sock);
          c.write(f);
          if ((round + i) % 3 === 1) await h.sleep(round % 7);
          // Gone at once, or half-closed (its answer then has nowhere to go).
          if ((round + i) % 2 === 0) c.socket.end();
          else c.destroy();
        }),
      );
    }
    // The start/stop with wait whose callers vanished still complete.
    await h.waitFor('slow to settle', async () => {
      const s = (await d.status('slow'))[0];
      return s && (s.state === 'RUNNING' || s.state === 'STOPPED') ? s : undefined;
    }, 10_000);
    await assertServing(d, sock);
    const r = await d.ctl(['stop', 'slow']);
    assert.match(r.stdout, /slow: (stopped|ERROR \(not running\))/);
    const s = await d.ctl(['start', 'slow']);
    assert.equal(s.stdout, 'slow: started\n');
  });
});

const CHATTY = `
[program:a]
command=sleep 1000
startsecs=0

[program:chatty]
command=yes "0123456789 the quick brown fox jumps over the lazy dog 0123456789"
startsecs=0
stdout_logfile_maxbytes=1MB
stdout_logfile_backups=0
`;

test('a followLogs reader that never reads while a program floods its log is dropped; RSS bounded; others served', { timeout: 90_000 }, async (t) => {
  await withDaemon(CHATTY, async (d, sock) => {
    await d.waitState('chatty', 'RUNNING');
    await h.sleep(500);
    const rss0 = h.rssKb(d.pid);
    const follower = await h.RawConnection.open(sock);
    const answer = await follower.call('tsupervisor.followLogs', { names: ['chatty'], channel: 'stdout' });
    assert.deepEqual(answer.result, ['chatty']);
    follower.socket.pause();
    const rss = h.sampler(() => h.rssKb(d.pid), 100);
    await h.sleep(4000);
    await assertServing(d, sock, 5000);
    const peak = rss.max() - rss0;
    rss.stop();
    t.diagnostic(`non-reading follower: RSS ${rss0} kB, peak +${peak} kB`);
    assert.ok(peak < 128 * 1024, `RSS grew by ${peak} kB while the follower did not read`);
    // Reading again: what was queued arrives, then the daemon's close. A follower still being
    // served would stream for ever.
    follower.socket.resume();
    assert.ok(await follower.waitClosed(10_000), `the daemon dropped the follower (received ${follower.received} bytes)`);
    assert.ok(follower.received < 40 * 1024 * 1024, `received ${follower.received} bytes`);
    const chatty = (await d.status('chatty'))[0]!;
    assert.equal(chatty.state, 'RUNNING');
  });
});

test('pipelined requests whose answers are never read: the daemon stops reading instead of building them', { timeout: 90_000 }, async (t) => {
  const conf = `${PROGRAMS}
[program:big]
command=sh -c 'head -c 2000000 /dev/zero | tr "\\\\0" x; exec sleep 1000'
startsecs=0
stdout_logfile_maxbytes=0
`;
  await withDaemon(conf, async (d, sock) => {
    await d.waitState('big', 'RUNNING');
    await h.waitFor('the 2 MB log', async () => {
      const c = await h.RawConnection.open(sock);
      const m = await c.call('supervisor.tailProcessStdoutLog', { name: 'big', offset: 0, length: 10 });
      c.destroy();
      return (m.result as { offset: number } | undefined)?.offset === 2_000_000;
    }, 10_000);
    const rss0 = h.rssKb(d.pid);
    const c = await h.RawConnection.open(sock);
    c.socket.pause();
    const frame = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'supervisor.readProcessStdoutLog', params: { name: 'big', offset: 0, length: 2_000_000 } }) + '\n';
    // 2,000 requests asking for 2 MB each: 4 GB of answers if the daemon built them all.
    c.socket.write(frame.repeat(2000));
    const rss = h.sampler(() => h.rssKb(d.pid), 100);
    await h.sleep(3000);
    await assertServing(d, sock, 5000);
    const peak = rss.max() - rss0;
    rss.stop();
    t.diagnostic(`2,000 unread pipelined 2 MB reads: RSS ${rss0} kB, peak +${peak} kB`);
    assert.ok(peak < 96 * 1024, `RSS grew by ${peak} kB`);
    c.destroy();
    await assertServing(d, sock);
  });
});

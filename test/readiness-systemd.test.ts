/**
 * tsupervisord under systemd's Type=notify (issue 16): given a NOTIFY_SOCKET (here a unix
 * datagram socket the test binds with python3), the daemon sends READY=1 only once every
 * autostart program is ready (a slow ready= check holds it), RELOADING=1 then READY=1 around a
 * reload, STOPPING=1 at shutdown; the children never see NOTIFY_SOCKET.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as h from './harness.js';

const RECEIVER = `
import json, socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
out = open(sys.argv[2], 'a', buffering=1)
while True:
    data = s.recv(4096)
    out.write(json.dumps({'t': time.time(), 'msg': data.decode()}) + '\\n')
`;

test('READY=1 to systemd once every autostart program is ready; RELOADING=1, STOPPING=1', { timeout: 90_000 }, async () => {
  const tmp = h.makeTmpDir('tsv-sdnotify-');
  const sock = join(tmp.path, 'notify.sock');
  const received = join(tmp.path, 'received');
  const go = join(tmp.path, 'go');
  writeFileSync(join(tmp.path, 'receiver.py'), RECEIVER);
  const receiver = spawn('python3', [join(tmp.path, 'receiver.py'), sock, received], { stdio: 'ignore' });
  const messages = () =>
    existsSync(received)
      ? readFileSync(received, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { t: number; msg: string })
      : [];
  let d: h.Daemon | null = null;
  try {
    await h.waitFor('the receiver socket', () => existsSync(sock), 10_000);
    d = await h.startDaemon(
      `
[program:fast]
command=sleep 100

[program:slow]
command=sleep 100
ready=exec:test -e ${go}

[program:off]
command=sleep 100
autostart=false
`,
      { dir: tmp.path, env: { ...process.env, NOTIFY_SOCKET: sock } },
    );
    await d.waitState('fast', 'RUNNING', 10_000);
    await d.waitState('slow', 'STARTING', 10_000);
    await h.sleep(500);
    assert.deepEqual(messages(), [], 'nothing before slow is ready');
    const slowPid = Number((await d.ctl(['pid', 'slow'])).stdout.trim());
    assert.ok(slowPid > 0);
    assert.ok(!readFileSync(`/proc/${slowPid}/environ`, 'utf8').includes('NOTIFY_SOCKET='));
    const goAt = Date.now() / 1000;
    writeFileSync(go, '');
    const ready = await h.waitFor('READY=1', () => messages().find((m) => m.msg.startsWith('READY=1')), 10_000);
    assert.ok(ready.t >= goAt, 'READY=1 came before slow could be ready');
    assert.equal(ready.msg, 'READY=1\nSTATUS=2 programs ready');
    assert.equal((await d.status('slow'))[0]!.state, 'RUNNING');
    assert.match(d.logs(), /INFO told systemd READY=1: 2 programs ready/);

    // reload: RELOADING=1 (with MONOTONIC_USEC), then READY=1 again once the new processes are ready
    assert.equal((await d.ctl(['reload'])).code, 0);
    await h.waitFor('RELOADING=1 then READY=1', () => {
      const m = messages().map((x) => x.msg.split('\n')[0]);
      return m.length >= 3 && m[1] === 'RELOADING=1' && m[2] === 'READY=1' ? true : undefined;
    }, 20_000);
    assert.match(messages()[1]!.msg, /^RELOADING=1\nMONOTONIC_USEC=\d+$/);
    await d.stop();
    await h.waitFor('STOPPING=1', () => messages().find((m) => m.msg === 'STOPPING=1'), 10_000);
    assert.deepEqual(messages().map((x) => x.msg.split('\n')[0]), ['READY=1', 'RELOADING=1', 'READY=1', 'STOPPING=1']);
  } finally {
    await d?.stop();
    receiver.kill('SIGKILL');
    tmp.remove();
  }
});

/**
 * ready= with real processes (issue 16): notify (a python3 sd_notify sender; datagrams from a
 * process that is not the child's descendant, oversized and garbage ones are dropped), fd:3,
 * tcp:, http://, exec:, log:; STARTING until the check succeeds, then RUNNING with STATUS= in
 * the description; a check that never succeeds is BACKOFF then FATAL with the check's answer.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import * as h from './harness.js';

const NOTIFIER = `
import os, socket, sys, time
addr = os.environ['NOTIFY_SOCKET']
if addr.startswith('@'): addr = '\\0' + addr[1:]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
while not os.path.exists(sys.argv[1]): time.sleep(0.05)
s.sendto(b'STATUS=warming up', addr)
s.sendto(b'READY=1\\nSTATUS=serving 3 clients', addr)
time.sleep(100)
`;

/** Sends one datagram to an abstract unix address from this (unrelated) process, via python3. */
function sendFromOutside(address: string, payload: string): void {
  const script = `import socket,sys\ns=socket.socket(socket.AF_UNIX,socket.SOCK_DGRAM)\ns.sendto(eval(sys.argv[2]), '\\0'+sys.argv[1][1:])`;
  execFileSync('python3', ['-c', script, address, payload]);
}

test('every ready= form: STARTING until ready, then RUNNING; hostile notify datagrams dropped; never ready → BACKOFF → FATAL', { timeout: 90_000 }, async () => {
  const tmp = h.makeTmpDir('tsv-ready-');
  const [tcpPort, httpPort, deadPort] = [await h.freePort(), await h.freePort(), await h.freePort()];
  const script = join(tmp.path, 'notifier.py');
  writeFileSync(script, NOTIFIER);
  const go = join(tmp.path, 'go');
  const made = join(tmp.path, 'made');
  const d = await h.startDaemon(
    `
[program:notifier]
command=python3 ${script} ${go}
ready=notify
startsecs=0

[program:waiter]
command=sleep 100
ready=notify
ready_timeout=30

[program:fd]
command=sh -c 'sleep 0.5; echo ready >&3; exec sleep 100'
ready=fd:3

[program:fdshut]
; a byte but no newline, then fd 3 closed: never ready, and the check says why
command=sh -c 'printf x >&3; exec 3>&-; exec sleep 100'
ready=fd:3
ready_timeout=1
startretries=0
stopwaitsecs=1

[program:tcp]
command=sh -c 'sleep 0.5; exec python3 -m http.server --bind 127.0.0.1 ${tcpPort}'
directory=${tmp.path}
ready=tcp:127.0.0.1:${tcpPort}

[program:http]
command=sh -c 'sleep 0.5; exec python3 -m http.server --bind 127.0.0.1 ${httpPort}'
directory=${tmp.path}
ready=http://127.0.0.1:${httpPort}/

[program:exec]
command=sh -c 'sleep 0.5; touch ${made}; exec sleep 100'
ready=exec:test -e ${made}

[program:log]
command=sh -c 'echo starting; sleep 0.5; echo "listening on 8080"; exec sleep 100'
ready=log:^listening on \\d+$

[program:never]
command=sleep 100
ready=tcp:127.0.0.1:${deadPort}
ready_timeout=1
startretries=1
stopwaitsecs=1
`,
    { dir: tmp.path },
  );
  try {
    // before its READY=1: STARTING although startsecs=0
    await d.waitState('notifier', 'STARTING');
    const pid = Number((await d.ctl(['pid', 'notifier'])).stdout.trim());
    assert.ok(pid > 0);
    await h.sleep(300);
    assert.equal((await d.status('notifier'))[0]!.state, 'STARTING');
    // a process that is not the waiter's descendant cannot make it ready
    const env = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    const address = env.find((e) => e.startsWith('NOTIFY_SOCKET='))!.slice('NOTIFY_SOCKET='.length);
    assert.match(address, /^@tsupervisord-notify-/);
    sendFromOutside(address, "b'READY=1'");
    sendFromOutside(address, "b'READY=1' + b'x' * 70000");
    sendFromOutside(address, "bytes(range(256))");
    writeFileSync(go, '');
    const running = await d.waitState('notifier', 'RUNNING', 10_000);
    assert.match(running.description, /^pid \d+, uptime \S+, serving 3 clients$/);
    for (const name of ['fd', 'tcp', 'http', 'exec', 'log']) await d.waitState(name, 'RUNNING', 10_000);
    assert.equal((await d.status('waiter'))[0]!.state, 'STARTING');
    assert.match(d.logs(), /notify socket: dropped a datagram from pid \d+ uid \d+: not a supervised process/);
    assert.match(d.logs(), /success: log entered RUNNING state, process is ready \(ready=log:/);
    // never ready: retried once, then FATAL, with what the check answered
    await d.waitState('never', 'FATAL', 15_000);
    assert.match(d.logs(), new RegExp(`never: not ready after 1 s: tcp:127\\.0\\.0\\.1:${deadPort}: ECONNREFUSED`));
    await d.waitState('fdshut', 'FATAL', 15_000);
    assert.match(d.logs(), /fdshut: not ready after 1 s: fd:3: fd 3 closed without a newline/);
    // d.logs() holds the main log twice (daemon output and file): count distinct pids
    assert.equal(new Set([...d.logs().matchAll(/INFO spawned: 'never' with pid (\d+)/g)].map((m) => m[1])).size, 2);
    // the daemon's own NOTIFY_SOCKET is never passed on
    const fdPid = (await d.status('fd'))[0]!.pid!;
    assert.ok(!readFileSync(`/proc/${fdPid}/environ`, 'utf8').includes('NOTIFY_SOCKET='));
  } finally {
    await d.stop();
    tmp.remove();
  }
});

test('the NOTIFY_SOCKET of the daemon\'s parent is never passed on to a child', { timeout: 30_000 }, async () => {
  const tmp = h.makeTmpDir('tsv-ready-env-');
  const out = join(tmp.path, 'env');
  const d = await h.startDaemon(
    `
[program:plain]
command=sh -c 'env > ${out}.tmp; mv ${out}.tmp ${out}; exec sleep 100'
`,
    { dir: tmp.path, env: { ...process.env, NOTIFY_SOCKET: '/run/systemd/notify' } },
  );
  try {
    await d.waitState('plain', 'RUNNING', 10_000);
    const text = await h.waitFor('the env file', () => (existsSync(out) ? readFileSync(out, 'utf8') : undefined), 5000);
    assert.match(text, /SUPERVISOR_PROCESS_NAME=plain/);
    assert.ok(!text.includes('NOTIFY_SOCKET'));
  } finally {
    await d.stop();
    tmp.remove();
  }
});

/**
 * Hostile NOTIFY_SOCKET datagrams (ready=notify, issue 16), what readiness.test.ts leaves out:
 * - another uid: a flood of 2,000 READY=1 from a process running as nobody, which is
 *   not the program's descendant: every one dropped, logged once (with its pid and uid 65534);
 *   (the sender drops to nobody itself: setpriv would need a python3 that nobody may run)
 * - the program's own malformed datagrams, which pass the sender check: an oversized one that
 *   starts with READY=1 (a truncated read would see it), a NUL in the middle, bytes that are not
 *   UTF-8, no assignment at all: each dropped and logged once (per kind), never half-read.
 * Meanwhile the program stays STARTING, the daemon answers, and its own READY=1 makes it
 * RUNNING with its STATUS=. The main log file is counted (d.logs() holds it twice).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as h from './harness.js';

const TARGET = `
import os, socket, sys, time
addr = os.environ['NOTIFY_SOCKET']
if addr.startswith('@'): addr = '\\0' + addr[1:]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
def after(name):
    while not os.path.exists(name): time.sleep(0.05)
after(sys.argv[1])
for _ in range(3):
    s.sendto(b'READY=1\\nSTATUS=' + b'y' * 5000, addr)
    s.sendto(b'READY=1\\0', addr)
    s.sendto(b'\\xff\\xfeREADY=1', addr)
    s.sendto(b'hello', addr)
open(sys.argv[2], 'w').close()
after(sys.argv[3])
s.sendto(b'READY=1\\nSTATUS=ready on my own', addr)
time.sleep(100)
`;

/** COUNT datagrams from one process that drops to nobody (uid 65534) first (the kernel stamps each with it). */
const FLOOD = `
import os, socket, sys
os.setgroups([]); os.setgid(65534); os.setuid(65534)
assert os.getuid() == 65534
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
for _ in range(int(sys.argv[2])): s.sendto(b'READY=1\\nSTATUS=hijacked', '\\0' + sys.argv[1][1:])
`;

test('NOTIFY_SOCKET: another uid\'s flood and the program\'s own malformed datagrams are dropped, logged once; it stays STARTING until its own READY=1', { timeout: 60_000 }, async () => {
  const tmp = h.makeTmpDir('tsv-hostile-');
  const script = join(tmp.path, 'target.py');
  writeFileSync(script, TARGET);
  const [go, sent, ready] = ['go', 'sent', 'ready'].map((f) => join(tmp.path, f));
  const d = await h.startDaemon(
    `
[program:target]
command=python3 ${script} ${go} ${sent} ${ready}
ready=notify
startsecs=0
ready_timeout=50
`,
    { dir: tmp.path },
  );
  const mainLog = () => readFileSync(join(tmp.path, 'supervisord.log'), 'utf8');
  const count = (re: RegExp) => mainLog().split('\n').filter((l) => re.test(l)).length;
  try {
    await d.waitState('target', 'STARTING');
    const pid = Number((await d.ctl(['pid', 'target'])).stdout.trim());
    assert.ok(pid > 0);
    const address = readFileSync(`/proc/${pid}/environ`, 'utf8')
      .split('\0')
      .find((e) => e.startsWith('NOTIFY_SOCKET='))!
      .slice('NOTIFY_SOCKET='.length);

    // another uid, not a descendant: a flood, each datagram a READY=1
    execFileSync('python3', ['-c', FLOOD, address, '2000'], { timeout: 20_000 });
    // the program's own garbage
    writeFileSync(go, '');
    await h.waitFor('the program to send its garbage', () => existsSync(sent), 10_000);
    await h.waitFor('the drops to be logged', () => count(/notify socket: dropped/) >= 3 || undefined, 10_000);
    await h.sleep(300);

    const status = (await d.status('target'))[0]!;
    assert.equal(status.state, 'STARTING', 'no dropped datagram made it ready');
    assert.equal(Number((await d.ctl(['pid', 'target'])).stdout.trim()), pid);
    const json = JSON.parse((await d.ctl(['status', '--json', 'target'])).stdout)[0];
    assert.equal(json.status_text || '', '', 'no STATUS= of a dropped datagram is shown');
    assert.equal(count(/notify socket: dropped a datagram from pid \d+ uid 65534: not a supervised process or its descendant/), 1, mainLog());
    assert.equal(count(new RegExp(`notify socket: dropped a datagram from pid ${pid}: oversized datagram`)), 1, mainLog());
    assert.equal(count(new RegExp(`notify socket: dropped a datagram from pid ${pid}: not an sd_notify message`)), 1, mainLog());
    assert.equal(count(/notify socket: dropped/), 3, mainLog());

    writeFileSync(ready, '');
    const running = await d.waitState('target', 'RUNNING', 10_000);
    assert.equal(Number((await d.ctl(['pid', 'target'])).stdout.trim()), pid);
    assert.match(running.description, /^pid \d+, uptime \S+, ready on my own$/);
  } catch (e) {
    (e as Error).message += `\n${d.logs()}`;
    throw e;
  } finally {
    await d.stop();
    tmp.remove();
  }
});

/**
 * `update` moves a running program into a [group:x] and back out; it keeps running (same pid)
 * and from then on its output is published under its new name: `tail -f g:a` follows it, and
 * PROCESS_LOG events (tsupervisorctl events) say `groupname:g`, without a restart.
 * tsupervisor only (supervisord's update restarts a moved process, and its ctl has no `events`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import * as h from './harness.js';
import { follow, isTs } from './logs-helpers.js';

const PROGRAM = `
[program:a]
command=sh -c 'i=0; while :; do i=$((i+1)); echo "tick $i"; sleep 0.1; done'
startsecs=0
stdout_events_enabled=true
`;

/** `tsupervisorctl events TYPE…` as a long-running process; lines as they come. */
function events(d: h.Daemon, types: string[]) {
  const child = spawn(d.ctlCmd, ['-c', d.conf, 'events', ...types], { cwd: d.dir, stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid) h.startedPids.add(child.pid);
  let out = '';
  child.stdout.on('data', (c) => (out += c));
  child.stderr.on('data', (c) => (out += c));
  return {
    waitFor: (re: RegExp) => h.waitFor(`events to show ${re} (so far: ${JSON.stringify(out.slice(-400))})`, () => re.test(out), 10_000, 20),
    text: () => out,
    stop() {
      child.kill('SIGKILL');
      if (child.pid) h.startedPids.delete(child.pid);
    },
  };
}

/** The highest `tick N` in `text`. */
const lastTick = (text: string) => Math.max(0, ...[...text.matchAll(/tick (\d+)/g)].map((m) => Number(m[1])));

/** Follows `name` and waits for a tick printed after the follow began: pushed live, not the head. */
async function followsLive(d: h.Daemon, name: string): Promise<void> {
  const f = follow(d, ['tail', '-f', name]);
  try {
    await f.waitFor(/tick \d+\n/);
    const head = lastTick(f.text());
    await f.waitFor(new RegExp(`tick ${head + 5}\\n`));
  } finally {
    await f.stop();
  }
}

async function update(d: h.Daemon, conf: string, want: string): Promise<void> {
  writeFileSync(d.conf, `${h.confHeader(d.dir)}\n${conf}\n`);
  const r = await d.ctl(['update']);
  assert.equal(r.stdout, want);
  assert.equal(r.code, 0);
}

test('a program moved into [group:g] and back keeps its pid; tail -f and PROCESS_LOG events follow its new name', { skip: !isTs }, async () => {
  const d = await h.startDaemon(PROGRAM);
  try {
    const { pid } = await d.waitState('a', 'RUNNING');
    assert.ok(pid);

    await update(d, `${PROGRAM}\n[group:g]\nprograms=a\n`, 'a: stopped\na: removed process group\ng: added process group\n');
    assert.equal((await d.waitState('g:a', 'RUNNING')).pid, pid, 'moved, not restarted');
    await followsLive(d, 'g:a');
    const inG = events(d, ['PROCESS_LOG_STDOUT']);
    try {
      await inG.waitFor(/PROCESS_LOG_STDOUT processname:a groupname:g /);
      assert.doesNotMatch(inG.text(), /groupname:a /);
    } finally {
      inG.stop();
    }

    await update(d, PROGRAM, 'g: stopped\ng: removed process group\na: added process group\n');
    assert.equal((await d.waitState('a', 'RUNNING')).pid, pid, 'moved back, not restarted');
    await followsLive(d, 'a');
    const outOfG = events(d, ['PROCESS_LOG_STDOUT']);
    try {
      await outOfG.waitFor(/PROCESS_LOG_STDOUT processname:a groupname:a /);
      assert.doesNotMatch(outOfG.text(), /groupname:g /);
    } finally {
      outOfG.stop();
    }
  } catch (e) {
    (e as Error).message += `\n${d.logs().slice(-4000)}`;
    throw e;
  } finally {
    await d.stop();
  }
});

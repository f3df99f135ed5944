/**
 * tsupervisord as a container's PID 1, for real: PID 1 of a new pid and mount namespace
 * (`unshare --pid --fork --mount-proc`, what a container runtime does, no runtime needed; root
 * only). The namespace's own /proc is read from outside through /proc/<daemon>/root/proc.
 * - orphans: programs that double-fork children which exit leave no zombie in the namespace;
 * - SIGTERM to PID 1 stops everything in priority order, each within its stopwaitsecs, and PID 1
 *   exits 0; `docker stop` (SIGTERM, then SIGKILL after a grace period) finds it gone in time;
 * - an essential=true program's failure ends PID 1 with status 1 and empties the namespace;
 * - the Dockerfile recipe of docs/container.md (its supervisord.conf, logs to /dev/stdout) runs.
 * The subreaper path without a namespace (nodaemon=true) is test/faults-pid1.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as h from './harness.js';
import { codeBlock } from './recipes-helpers.js';

const canUnshare = process.getuid?.() === 0 && spawnSync('unshare', ['--pid', '--fork', '--mount-proc', 'true']).status === 0;
const skip = !canUnshare && 'needs root and `unshare --pid --fork --mount-proc` (refused here)';
if (skip) console.log(`# pid1-namespace: skipped: ${skip}`);

const UNSHARE = ['unshare', '--pid', '--fork', '--mount-proc'];

/** A daemon started by the harness as PID 1 of a new namespace; `daemon` is its pid outside. */
async function startPid1(conf: string): Promise<{ d: h.Daemon; daemon: number; tmp: h.TmpDir }> {
  const tmp = h.makeTmpDir('tsv-pid1-');
  const wrapper = join(tmp.path, 'tsupervisord-pid1');
  writeFileSync(wrapper, `#!/bin/sh\nexec ${UNSHARE.join(' ')} ${h.resolveCommands().daemonCmd} "$@"\n`);
  chmodSync(wrapper, 0o755);
  const d = await h.startDaemon(conf, { dir: tmp.path, daemonCmd: wrapper });
  assert.equal((await d.ctl(['pid'])).stdout.trim(), '1', 'the daemon is PID 1 inside');
  const daemon = h.childrenOf(d.pid)[0]!; // unshare --fork → the daemon
  return { d, daemon, tmp };
}

/** The namespace's processes (pids inside it) with their state letter, from its own /proc. */
function namespaceProcs(daemon: number): Map<number, string> {
  const root = `/proc/${daemon}/root/proc`;
  const out = new Map<number, string>();
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return out; // PID 1 is gone: so is the namespace
  }
  for (const n of names) {
    if (!/^\d+$/.test(n)) continue;
    try {
      const stat = readFileSync(`${root}/${n}/stat`, 'utf8');
      out.set(Number(n), stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3));
    } catch {
      /* exited meanwhile */
    }
  }
  return out;
}

const zombies = (daemon: number) => [...namespaceProcs(daemon)].filter(([, s]) => s === 'Z').map(([p]) => p);

/** `docker stop`: SIGTERM to PID 1, SIGKILL after `graceMs`; how long PID 1 took and whether it was killed. */
async function dockerStop(d: h.Daemon, daemon: number, graceMs: number): Promise<{ ms: number; killed: boolean }> {
  const t0 = Date.now();
  process.kill(daemon, 'SIGTERM');
  const exited = await h.waitFor('PID 1 to exit', () => d.exitStatus(), graceMs, 20).catch(() => undefined);
  if (exited) return { ms: Date.now() - t0, killed: false };
  h.killPid(daemon, 'SIGKILL');
  await h.waitFor('PID 1 to die', () => d.exitStatus(), 5000);
  return { ms: Date.now() - t0, killed: true };
}

const slowStop = (secs: string) => `sh -c 'trap "sleep ${secs}; exit 0" TERM; while :; do sleep 0.05; done'`;

test('PID 1: double-forked orphans leave no zombie in the namespace; SIGTERM stops by priority and PID 1 exits 0', { skip, timeout: 60_000 }, async () => {
  const { d, daemon, tmp } = await startPid1(
    [30, 10, 20].map((p) => `\n[program:p${p}]\ncommand=${slowStop('0.3')}\nstartsecs=0\npriority=${p}\nstopwaitsecs=5\n`).join('') +
      // 20 grandchildren orphaned at once (their parent subshell exits), each exiting its own way.
      `\n[program:orphaner]\ncommand=sh -c 'for i in $(seq 1 20); do (sh -c "sleep 0.$((i / 5)); exit $i" &); done; (sleep 1000 &); (sh -c "kill -9 \\$\\$" &); exec sleep 1000'\nstartsecs=0\npriority=40\n`,
  );
  try {
    for (const p of ['p10', 'p20', 'p30', 'orphaner']) await d.waitState(p, 'RUNNING');
    // Inside: PID 1, 4 programs (sh, with their sleep 0.05 loops coming and going), orphaner's
    // sleep 1000 and its orphan 'sleep 1000'. The 21 short orphans exited and were reaped.
    await h.waitFor('no zombie left in the namespace', () => zombies(daemon).length === 0 && h.childrenOf(daemon).length === 5, 5000).catch(() => {
      throw new Error(`namespace: ${[...namespaceProcs(daemon)].map(([p, s]) => `${p}:${s}`).join(' ')}; PID 1's children: ${h.childrenOf(daemon)}`);
    });
    assert.equal(namespaceProcs(daemon).get(1), 'S', 'PID 1 is the daemon, alive');
    const everyone = h.descendantsOf(daemon);

    const t0 = Date.now();
    process.kill(daemon, 'SIGTERM');
    const exit = await h.waitFor('PID 1 to exit', () => d.exitStatus(), 15_000);
    const ms = Date.now() - t0;
    assert.deepEqual(exit, { code: 0, signal: null }, 'PID 1 (and so unshare) exits 0 after SIGTERM');
    const log = readFileSync(join(tmp.path, 'supervisord.log'), 'utf8');
    const order = [...log.matchAll(/stopped: (\w+) /g)].map((m) => m[1]);
    assert.deepEqual(order, ['orphaner', 'p30', 'p20', 'p10'], 'highest priority stopped first');
    assert.ok(!/with SIGKILL/.test(log), 'each stopped within its stopwaitsecs, none killed');
    assert.ok(ms >= 900 && ms < 5000, `three 0.3 s stops one after another, then exit: ${ms} ms`);
    await h.waitFor('the namespace to empty', () => everyone.every((p) => !h.isAlive(p)), 5000);
  } catch (e) {
    (e as Error).message += `\n${d.logs().slice(-3000)}`;
    throw e;
  } finally {
    await d.stop();
    tmp.remove();
  }
});

test('PID 1 under `docker stop`: gone before the grace period when stopwaitsecs allow; SIGKILL empties the namespace when not', { skip, timeout: 60_000 }, async () => {
  // A program that ignores SIGTERM is SIGKILLed by the daemon after its stopwaitsecs=2, well
  // inside a 6 s grace: the daemon, not the runtime's SIGKILL, ends it, and exits 0.
  const conf = `
[program:deaf]
command=sh -c 'trap "" TERM; while :; do sleep 0.05; done'
startsecs=0
stopwaitsecs=@WAIT@

[program:polite]
command=${slowStop('0.5')}
startsecs=0
priority=100
`;
  const first = await startPid1(conf.replace('@WAIT@', '2'));
  try {
    for (const p of ['deaf', 'polite']) await first.d.waitState(p, 'RUNNING');
    const everyone = h.descendantsOf(first.daemon);
    const r = await dockerStop(first.d, first.daemon, 6000);
    assert.equal(r.killed, false, `the daemon exited before the grace period (${r.ms} ms)`);
    assert.ok(r.ms >= 2000, `deaf was given its stopwaitsecs=2 before SIGKILL: ${r.ms} ms`);
    assert.deepEqual(first.d.exitStatus(), { code: 0, signal: null });
    assert.match(readFileSync(join(first.tmp.path, 'supervisord.log'), 'utf8'), /killing 'deaf' \(\d+\) with SIGKILL/);
    await h.waitFor('the namespace to empty', () => everyone.every((p) => !h.isAlive(p)), 5000);
  } catch (e) {
    (e as Error).message += `\n${first.d.logs().slice(-3000)}`;
    throw e;
  } finally {
    await first.d.stop();
    first.tmp.remove();
  }

  // stopwaitsecs=30 beyond a 1.5 s grace: the runtime's SIGKILL of PID 1 ends the whole namespace.
  const second = await startPid1(conf.replace('@WAIT@', '30'));
  try {
    for (const p of ['deaf', 'polite']) await second.d.waitState(p, 'RUNNING');
    const everyone = h.descendantsOf(second.daemon);
    const r = await dockerStop(second.d, second.daemon, 1500);
    assert.equal(r.killed, true, 'still waiting for deaf when the grace period ended');
    await h.waitFor('the kernel to kill the namespace with its init', () => everyone.every((p) => !h.isAlive(p)), 5000);
  } finally {
    await second.d.stop();
    second.tmp.remove();
  }
});

test('PID 1: an essential program that fails for good stops everything and ends PID 1 with status 1', { skip, timeout: 60_000 }, async () => {
  const { d, daemon, tmp } = await startPid1(`
[program:sidecar]
command=${slowStop('0.2')}
startsecs=0
priority=10

[program:app]
command=sh -c 'while [ ! -e @TMP@/fail ]; do sleep 0.05; done; exit 3'
startsecs=0
autorestart=false
essential=true
priority=20
`);
  try {
    for (const p of ['sidecar', 'app']) await d.waitState(p, 'RUNNING');
    const everyone = h.descendantsOf(daemon);
    writeFileSync(join(tmp.path, 'fail'), ''); // app exits 3
    const exit = await h.waitFor('PID 1 to exit', () => d.exitStatus(), 15_000);
    assert.deepEqual(exit, { code: 1, signal: null }, 'the container ends with a failure status');
    const log = readFileSync(join(tmp.path, 'supervisord.log'), 'utf8');
    assert.match(log, /CRIT essential program app exited \(exit status 3\)/);
    assert.match(log, /stopped: sidecar \(exit status 0\)/, 'the other programs were stopped, not killed');
    await h.waitFor('the namespace to empty', () => everyone.every((p) => !h.isAlive(p)), 5000);
  } catch (e) {
    (e as Error).message += `\n${d.logs().slice(-3000)}`;
    throw e;
  } finally {
    await d.stop();
    tmp.remove();
  }
});

test('the Dockerfile recipe (docs/container.md): PID 1 with every log on stdout, stopped by SIGTERM', { skip, timeout: 60_000 }, async () => {
  const tmp = h.makeTmpDir('tsv-docker-');
  const port = await h.freePort();
  // The recipe's config, with the image's paths moved into the temp dir.
  const conf = codeBlock('docs/container.md', 'container-supervisord.conf')
    .replaceAll('/run/', `${tmp.path}/`)
    .replace('port=0.0.0.0:9001', `port=127.0.0.1:${port}`)
    .replace('command=/app/bin/server', `command=sh -c 'echo app says hello; echo app warns >&2; exec sleep 1000'`);
  const confPath = join(tmp.path, 'supervisord.conf');
  writeFileSync(confPath, conf);
  const { daemonCmd, ctlCmd } = h.resolveCommands();
  const child = spawn(UNSHARE[0]!, [...UNSHARE.slice(1), daemonCmd, '-c', confPath], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  h.startedPids.add(child.pid!);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b) => (stdout += b));
  child.stderr.on('data', (b) => (stderr += b));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const ctl = (...args: string[]) => h.runCmd(ctlCmd, ['-c', confPath, ...args], { timeoutMs: 10_000 });
  try {
    await h.waitFor('the app on stdout', () => stdout.includes('app says hello') && stdout.includes('app warns'), 15_000);
    assert.equal(stdout.match(/supervisord started with pid 1\b/g)?.length, 1, "the daemon's own log is on stdout, once (silent=true)");
    assert.match(stdout, /success: app entered RUNNING state|spawned: 'app'/);
    assert.equal((await ctl('pid')).stdout.trim(), '1', 'tsupervisorctl reaches it through the socket (docker exec)');
    const healthz = await h.waitFor('/healthz', async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).status === 200, 5000);
    assert.ok(healthz);

    const daemon = h.childrenOf(child.pid!)[0]!;
    process.kill(daemon, 'SIGTERM');
    const code = await Promise.race([exited, h.sleep(15_000).then(() => 'timeout')]);
    assert.equal(code, 0, 'docker stop: PID 1 exits 0');
    assert.match(stdout, /stopped: app /);
    assert.equal(stderr, '', 'nothing on the daemon stderr');
  } catch (e) {
    (e as Error).message += `\n--- stdout\n${stdout.slice(-3000)}\n--- stderr\n${stderr.slice(-2000)}`;
    throw e;
  } finally {
    if (child.exitCode === null) h.killPid(child.pid!, 'SIGKILL');
    h.startedPids.delete(child.pid!);
    tmp.remove();
  }
});

#!/usr/bin/env node
// Readiness and start dependencies (issue 16), tsupervisor and Debian's s6 in the same run:
//   - latency: from a process's ready signal to its dependent's first instruction. The ready
//     process (ready-stamp.c) reads CLOCK_MONOTONIC just before it sends READY=1 to
//     NOTIFY_SOCKET (`ready=notify`) or writes its line to fd 3 (`ready=fd:3`); the dependent
//     (`depends_on=`) reads the same clock as the first act of its main(). What is measured is
//     therefore the whole path: the daemon's wake-up, its transition to RUNNING, the start gate,
//     the exec of the dependent (spawned ahead and held before its exec, process/armed-spawn.ts;
//     a second daemon with TSV_SPAWN_ARM=0 in the same run spawns it at the signal), and the
//     start of a static binary (musl's when musl-gcc is there). Each round starts the
//     dependent with `supervisor.startProcess` (which brings its dependency up first; the
//     dependency signals 100 ms after its own spawn, when the daemon is idle) and stops both.
//     s6 does the same job as s6's documentation has it: a service with a `notification-fd`
//     file whose run script execs the same ready process (fd 3), and the dependent started by
//     `sh -c 's6-svwait -U SERVICE; exec ready-stamp start …'`, launched 100 ms before
//     `s6-svc -u`. Rounds alternate between the three so that the machine's load falls on all.
//   - graph: 200 programs in 10 layers of 20 (`[program:lK]` numprocs=20, `ready=notify`, each
//     layer `depends_on=l(K-1):*`): time from exec of the daemon to all 200 RUNNING (ready; the
//     main log is polled every 5 ms), and the daemon's CPU time (utime+stime) until then.
//   - health: 1,000 programs (`sleep infinity`) with `healthcheck=exec:/bin/true` every 5 s:
//     the daemon's CPU over BENCH_SECONDS (60) after all are RUNNING and 10 s of settling, as a
//     percentage of one core; the same 1,000 programs without a health check beside it.
//
//   node scripts/bench/readiness.mjs     (BENCH_ROUNDS=100, BENCH_RUNS=3 graph runs,
//                                         BENCH_SECONDS=60, BENCH_CASES=latency,graph,health)
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { h, median, fmt } from './lib.mjs';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 100);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const CASES = new Set((process.env.BENCH_CASES ?? 'latency,graph,health').split(','));
const TICKS = 100; // USER_HZ
const here = fileURLToPath(new URL('.', import.meta.url));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const cpuTicks = (pid) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'latin1').split(') ')[1].split(' ');
  return Number(f[11]) + Number(f[12]);
};
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];

const work = h.makeTmpDir('tsv-bench-ready-');
const STAMP = join(work.path, 'ready-stamp');
// musl when there (Debian's musl-tools): glibc's start-up probes the CPU with some 80 CPUID
// instructions, each a trap to the hypervisor on a VM (7.5 µs apiece here: 0.6 ms before main()),
// which is the dependent's own start-up, not the supervisor's (BENCHMARKS.md)
const CC = process.env.CC || (has('musl-gcc') ? 'musl-gcc' : 'cc');
let cc = spawnSync(CC, ['-O2', '-static', '-o', STAMP, join(here, 'ready-stamp.c')], { stdio: 'inherit' });
const staticBuild = cc.status === 0;
if (!staticBuild) cc = spawnSync(CC, ['-O2', '-o', STAMP, join(here, 'ready-stamp.c')], { stdio: 'inherit' });
if (cc.status !== 0) throw new Error(`cannot compile ready-stamp.c (needs ${CC})`);

// BENCH_RAW=FILE: each round's two clock readings (ns of CLOCK_MONOTONIC), for profiling
const raw = (tag, ready, dep) => process.env.BENCH_RAW && appendFileSync(process.env.BENCH_RAW, `${tag} ready ${ready}\n${tag} dep ${dep}\n`);

const readNs = (file) => {
  try {
    return BigInt(readFileSync(file, 'utf8').trim());
  } catch {
    return null;
  }
};

async function until(what, fn, timeoutMs = 10_000, everyMs = 2) {
  const end = performance.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

/**
 * A connection to a starting daemon's control socket: the file appears at bind(), a moment
 * before listen(), and a connect in between is refused (seen once in a run): tried again.
 */
async function openWhenListening(sock, timeoutMs = 15_000) {
  const end = performance.now() + timeoutMs;
  for (;;) {
    try {
      if (existsSync(sock)) return await h.RawConnection.open(sock);
    } catch (err) {
      if (err.code !== 'ECONNREFUSED' || performance.now() > end) throw err;
    }
    if (performance.now() > end) throw new Error(`timed out waiting for ${sock}`);
    await sleep(20);
  }
}

/** A tsupervisord with the given programs; resolves once its control socket answers. */
async function startTsv(dir, body, env = process.env) {
  const conf = join(dir, 'supervisord.conf');
  writeFileSync(conf, h.confHeader(dir) + body);
  const { daemonCmd } = h.resolveCommands({ daemonCmd: undefined });
  const child = spawn(daemonCmd, ['-c', conf], { cwd: dir, stdio: 'ignore', detached: true, env });
  h.startedPids.add(child.pid);
  const exited = new Promise((r) => child.once('exit', r));
  const stop = async () => {
    try {
      process.kill(child.pid, 'SIGTERM');
    } catch {
      /* gone */
    }
    await Promise.race([exited, sleep(60_000)]);
    try {
      process.kill(child.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
    h.startedPids.delete(child.pid);
  };
  return { child, conf, log: join(dir, 'supervisord.log'), sock: join(dir, 'supervisor.sock'), stop };
}

const rpcOk = (m, what) => {
  if (m.error) throw new Error(`${what}: ${m.error.message}`);
  return m.result;
};

// ---------------------------------------------------------------- latency

async function latency() {
  const dir = join(work.path, 'latency');
  mkdirSync(dir);
  const stamps = (tag) => ({ ready: join(dir, `${tag}.ready`), dep: join(dir, `${tag}.dep`) });
  const prog = (name, ready, tag) => `
[program:${name}]
command=${STAMP} ${ready === 'notify' ? `notify ${stamps(tag).ready} 100` : `fd 3 ${stamps(tag).ready} 100`}
ready=${ready === 'notify' ? 'notify' : 'fd:3'}
autostart=false
autorestart=false
stopsignal=KILL
stdout_logfile=NONE
stderr_logfile=NONE

[program:${name}_dep]
command=${STAMP} start ${stamps(tag).dep}
depends_on=${name}
startsecs=0
autostart=false
autorestart=false
stopsignal=KILL
stdout_logfile=NONE
stderr_logfile=NONE
`;
  const tsv = await startTsv(dir, prog('notified', 'notify', 'notify') + prog('fdline', 'fd', 'fd'));
  // the same daemon without armed spawns (the dependent's spawn begins at the signal), same run
  const dir0 = join(work.path, 'latency-unarmed');
  mkdirSync(dir0);
  const tsv0 = await startTsv(dir0, prog('notified', 'notify', 'notify0') + prog('fdline', 'fd', 'fd0'), { ...process.env, TSV_SPAWN_ARM: '0' });
  let s6 = null;
  const useS6 = has('s6-svscan') && has('s6-svwait');
  if (!useS6) console.log('(s6 is not installed: tsupervisor only)');
  try {
    const rpc = await openWhenListening(tsv.sock);
    const rpc0 = await openWhenListening(tsv0.sock);
    const scan = join(dir, 'scan');
    const svc = join(scan, 'ready');
    if (useS6) {
      mkdirSync(svc, { recursive: true });
      writeFileSync(join(svc, 'run'), `#!/bin/sh\nexec ${STAMP} fd 3 ${stamps('s6').ready} 100\n`);
      chmodSync(join(svc, 'run'), 0o755);
      writeFileSync(join(svc, 'notification-fd'), '3\n');
      writeFileSync(join(svc, 'down'), ''); // not started by s6-svscan: each round does
      s6 = spawn('s6-svscan', [scan], { stdio: 'ignore', detached: true });
      h.startedPids.add(s6.pid);
      await until('s6-supervise', () => existsSync(join(svc, 'supervise', 'status')), 10_000, 20);
    }
    const results = { notify: [], fd: [], notify0: [], fd0: [], s6: [] };
    const clean = (tag) => {
      for (const f of Object.values(stamps(tag))) rmSync(f, { force: true });
    };
    const roundTsv = async (name, tag, conn = rpc) => {
      clean(tag);
      rpcOk(await conn.call('supervisor.startProcess', { name: `${name}_dep`, wait: false }, 20_000), 'start');
      await until(`${name}_dep's stamp`, () => existsSync(stamps(tag).dep) && existsSync(stamps(tag).ready), 20_000);
      await sleep(20);
      rpcOk(await conn.call('supervisor.stopAllProcesses', { wait: true }, 20_000), 'stop');
      const ready = readNs(stamps(tag).ready);
      const dep = readNs(stamps(tag).dep);
      results[tag].push(Number(dep - ready) / 1e6);
      raw(tag, ready, dep);
    };
    const roundS6 = async () => {
      clean('s6');
      const waiter = spawn('sh', ['-c', `s6-svwait -U ${svc}; exec ${STAMP} start ${stamps('s6').dep}`], { stdio: 'ignore', detached: true });
      h.startedPids.add(waiter.pid);
      await sleep(100); // s6-svwait has subscribed to the service's events
      spawnSync('s6-svc', ['-u', svc]);
      await until("s6's dependent's stamp", () => existsSync(stamps('s6').dep) && existsSync(stamps('s6').ready), 20_000);
      await sleep(20);
      spawnSync('s6-svc', ['-wD', '-d', svc]);
      process.kill(waiter.pid, 'SIGKILL');
      h.startedPids.delete(waiter.pid);
      const ready = readNs(stamps('s6').ready);
      const dep = readNs(stamps('s6').dep);
      results.s6.push(Number(dep - ready) / 1e6);
      raw('s6', ready, dep);
    };
    const load0 = loadavg();
    for (let i = 0; i < ROUNDS; i++) {
      await roundTsv('notified', 'notify');
      await roundTsv('fdline', 'fd');
      await roundTsv('notified', 'notify0', rpc0);
      await roundTsv('fdline', 'fd0', rpc0);
      if (useS6) await roundS6();
    }
    rpc.destroy();
    rpc0.destroy();
    const load1 = loadavg();
    console.log(`\nready signal → dependent's first instruction, ${ROUNDS} rounds (ready-stamp ${staticBuild ? 'static' : 'dynamic'}, ${CC}; load average ${load0} → ${load1})`);
    const s6m = results.s6.length ? median(results.s6) : NaN;
    const rows = [
      ['notify', 'tsupervisor ready=notify'],
      ['fd', 'tsupervisor ready=fd:3'],
      ['notify0', 'ready=notify, TSV_SPAWN_ARM=0'],
      ['fd0', 'ready=fd:3, TSV_SPAWN_ARM=0'],
      ['s6', 's6 notification-fd + s6-svwait -U'],
    ];
    for (const [tag, label] of rows) {
      const xs = results[tag];
      if (!xs.length) continue;
      const ratio = tag !== 's6' && Number.isFinite(s6m) ? `  ratio to s6 ${(median(xs) / s6m).toFixed(2)}` : '';
      console.log(`  ${label.padEnd(36)} median ${fmt(median(xs))} ms  p99 ${fmt(pct(xs, 0.99))} ms  (min ${fmt(Math.min(...xs))}, max ${fmt(Math.max(...xs))})${ratio}`);
    }
    console.log('  goal (issue 16): median ≤ 1 ms, ≤ 0.3× s6');
  } finally {
    if (s6) {
      // s6-svscan's SIGTERM stops the supervisors (and their services) and exits
      try {
        process.kill(s6.pid, 'SIGTERM');
      } catch {
        /* gone */
      }
      await sleep(300);
      spawnSync('s6-svc', ['-k', '-x', join(dir, 'scan', 'ready')]);
      h.startedPids.delete(s6.pid);
    }
    await tsv.stop();
    await tsv0.stop();
  }
}

// ---------------------------------------------------------------- graph

const LAYERS = 10;
const WIDTH = 20;

async function graphRun(i) {
  const dir = join(work.path, `graph${i}`);
  mkdirSync(join(dir, 'stamps'), { recursive: true });
  let body = '';
  for (let k = 0; k < LAYERS; k++) {
    body += `
[program:l${k}]
command=${STAMP} notify ${dir}/stamps/%(process_num)02d.${k} 0
process_name=%(program_name)s_%(process_num)02d
numprocs=${WIDTH}
ready=notify
stdout_logfile=NONE
stderr_logfile=NONE
${k ? `depends_on=l${k - 1}:*\n` : ''}`;
  }
  const t0 = performance.now();
  const tsv = await startTsv(dir, body);
  try {
    const n = LAYERS * WIDTH;
    const running = () => {
      try {
        return readFileSync(tsv.log, 'utf8').split('entered RUNNING state').length - 1;
      } catch {
        return 0;
      }
    };
    await until(`${n} programs ready`, () => running() >= n, 120_000, 5);
    const ms = performance.now() - t0;
    const cpuMs = cpuTicks(tsv.child.pid) * (1000 / TICKS);
    return { ms, cpuMs };
  } finally {
    await tsv.stop();
  }
}

async function graph() {
  const load0 = loadavg();
  const runs = [];
  for (let i = 0; i < RUNS; i++) runs.push(await graphRun(i));
  console.log(`\n${LAYERS * WIDTH} programs in ${LAYERS} layers of ${WIDTH} (ready=notify, depends_on=previous layer:*), exec → all ready (load average ${load0} → ${loadavg()})`);
  console.log(`  time  ${runs.map((r) => fmt(r.ms)).join(' ')} ms (median ${fmt(median(runs.map((r) => r.ms)))})`);
  console.log(`  daemon CPU until then  ${runs.map((r) => fmt(r.cpuMs)).join(' ')} ms (median ${fmt(median(runs.map((r) => r.cpuMs)))})`);
}

// ---------------------------------------------------------------- health

async function healthRun(tag, extra) {
  const dir = join(work.path, `health-${tag}`);
  mkdirSync(dir);
  const n = 1000;
  const tsv = await startTsv(
    dir,
    `
[program:p]
command=sleep infinity
process_name=%(program_name)s_%(process_num)04d
numprocs=${n}
startsecs=0
stdout_logfile=NONE
stderr_logfile=NONE
${extra}`,
  );
  try {
    await until(`${n} programs RUNNING`, () => {
      try {
        return readFileSync(tsv.log, 'utf8').split('entered RUNNING state').length - 1 >= n;
      } catch {
        return false;
      }
    }, 180_000, 200);
    await sleep(10_000);
    const load0 = loadavg();
    const before = cpuTicks(tsv.child.pid);
    const t0 = performance.now();
    await sleep(SECONDS * 1000);
    const cpuMs = (cpuTicks(tsv.child.pid) - before) * (1000 / TICKS);
    const wallMs = performance.now() - t0;
    const log = readFileSync(tsv.log, 'utf8');
    const unhealthy = log.split('unhealthy').length - 1;
    return { pct: (100 * cpuMs) / wallMs, cpuMs, wallMs, load: `${load0} → ${loadavg()}`, unhealthy };
  } finally {
    await tsv.stop();
  }
}

async function health() {
  const checked = await healthRun('checked', 'healthcheck=exec:/bin/true\nhealthcheck_interval=5\n');
  const idle = await healthRun('idle', '');
  console.log(`\n1,000 programs (sleep infinity), daemon CPU over ${SECONDS} s`);
  for (const [label, r] of [['healthcheck=exec:/bin/true every 5 s', checked], ['no health check', idle]]) {
    console.log(`  ${label.padEnd(38)} ${r.pct.toFixed(1)} % of a core (${fmt(r.cpuMs)} ms CPU in ${fmt(r.wallMs / 1000)} s; ${r.unhealthy} 'unhealthy' log lines; load average ${r.load})`);
  }
  console.log(`  ≈ ${fmt((checked.cpuMs - idle.cpuMs) / ((1000 * checked.wallMs) / 5000))} ms of daemon CPU per check`);
  console.log('  goal (issue 16): under 5 % of a core');
}

try {
  if (CASES.has('latency')) await latency();
  if (CASES.has('graph')) await graph();
  if (CASES.has('health')) await health();
} finally {
  work.remove();
}
process.exit(0);

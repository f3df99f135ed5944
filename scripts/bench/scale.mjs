#!/usr/bin/env node
// The daemon at scale, tsupervisor and Debian's supervisord in the same run:
//   - resident memory (VmRSS from /proc/<pid>/status) idle with 6 fcgi workers, 200 and 1,000
//     programs (`sleep`), 5 s after the last one entered RUNNING; PSS beside it (shared pages
//     such as the interpreter's code divided among the processes that map them); and RSS split
//     from smaps_rollup into anonymous, shared clean (beside node: the node binary's pages) and
//     private clean pages;
//   - time from exec of the daemon to 200 programs RUNNING (startsecs=0; the main log is polled
//     every 2 ms for "entered RUNNING"), and from SIGTERM to the daemon's exit.
//
//   - (ctl) time from exec of the daemon (-n) until `ctl status`, run from a shell-like loop
//     every 20 ms (a new ctl process each time, as a user or a deploy script polls), shows all
//     200 programs RUNNING: the daemon's start-up as a user sees it, the ctl's cost under load
//     included;
//   - (spawn) BENCH_SPAWN_N programs (5,000; logs NONE) from exec to all RUNNING, and the cost
//     per spawn over the first and the last tenth of them (from the main log's timestamps): it
//     must not grow with the number of programs already running.
//
//   node scripts/bench/scale.mjs          (BENCH_RUNS=5, BENCH_ONLY=tsupervisor|supervisor,
//                                          BENCH_CASES=memory,start,ctl,spawn: which to run)
//
// The daemon is spawned directly (no ctl in the measured path); the config is the test
// harness's header plus the programs. Goals (issue 6): start and stop in at most half
// supervisord's time; RSS at most 1.5x idle and no more per extra process than supervisord;
// (issue 18) beside node processes, as here, PSS at most 1.0x and RSS at most 1.3x.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { h, implementations, median, fmt } from './lib.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const CASES = new Set((process.env.BENCH_CASES ?? 'memory,start,ctl,spawn').split(','));
const SPAWN_N = Number(process.env.BENCH_SPAWN_N ?? 5000);
const tick = new Int32Array(new SharedArrayBuffer(4));
const sleepMs = (ms) => Atomics.wait(tick, 0, 0, ms);

const programs = (n, extra = '') =>
  `\n[program:p]\ncommand=sleep 100000\nprocess_name=%(program_name)s_%(process_num)04d\nnumprocs=${n}\nstartsecs=0\n${extra}`;
const quiet = 'stdout_logfile=NONE\nstderr_logfile=NONE\n';
const fcgi = (port) =>
  `\n[fcgi-program:w]\ncommand=sleep 100000\nsocket=tcp://127.0.0.1:${port}\nprocess_name=%(program_name)s_%(process_num)d\nnumprocs=6\nstartsecs=0\n`;

/** Resident set (RSS) and proportional set (PSS: pages shared with other processes divided among them). */
function memKb(pid) {
  const s = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  const field = (k) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(s)?.[1] ?? NaN);
  return {
    rss: field('Rss'),
    pss: field('Pss'),
    anon: field('Anonymous'),
    // the split of RSS: clean pages another process maps too (beside node: the node binary's
    // code both touched), and this process's own clean and dirty pages
    sharedClean: field('Shared_Clean'),
    privateClean: field('Private_Clean'),
    privateDirty: field('Private_Dirty'),
  };

}

function countRunning(log) {
  try {
    return readFileSync(log, 'utf8').split('entered RUNNING state').length - 1;
  } catch {
    return 0;
  }
}

/** One daemon life: start, wait for `n` RUNNING, optionally idle and read RSS, SIGTERM, exit. */
/** `ctl status` run as a shell would (a new process): how many programs it shows RUNNING. */
function ctlRunning(impl, conf) {
  const r = spawnSync(h.resolveCommands({ daemonCmd: impl.daemonCmd }).ctlCmd, ['-c', conf, 'status'], { encoding: 'utf8' });
  return (r.stdout ?? '').split('\n').filter((l) => /\sRUNNING\s/.test(l)).length;
}

/**
 * The main log's 'spawned:' times (ms since the epoch, from its timestamps), in order. (Not
 * 'entered RUNNING': tsupervisord reports the RUNNING of an autostart batch once it is spawned.)
 */
function spawnTimes(log) {
  const times = [];
  for (const m of readFileSync(log, 'utf8').matchAll(/^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d),(\d{3}) .*spawned: /gm)) {
    times.push(Date.parse(m[1].replace(' ', 'T')) + Number(m[2]));
  }
  return times;
}

/**
 * One daemon life: start, wait for `n` RUNNING, optionally idle and read RSS, SIGTERM, exit.
 * `poll`: 'log' (the main log every `everyMs`, 2 ms) or 'ctl' (`ctl status` every 20 ms).
 */
async function life(impl, body, n, { rssAfterMs = 0, poll = 'log', everyMs = 2, timeoutMs = 60_000, stopMs = 30_000, extra = '' } = {}) {
  const tmp = h.makeTmpDir('tsv-bench-');
  const dir = tmp.path;
  const conf = join(dir, 'supervisord.conf');
  const log = join(dir, 'supervisord.log');
  writeFileSync(conf, h.confHeader(dir, extra) + body);
  try {
    const t0 = performance.now();
    const wall0 = Date.now();
    const child = spawn(impl.daemonCmd, ['-c', conf], { cwd: dir, stdio: 'ignore', detached: true });
    h.startedPids.add(child.pid);
    let exitedAt = 0;
    const exited = new Promise((resolve) => child.on('exit', () => resolve((exitedAt = performance.now()))));
    const end = t0 + timeoutMs;
    const count = poll === 'ctl' ? () => ctlRunning(impl, conf) : () => countRunning(log);
    // the child's 'exit' event needs the event loop: check /proc between the synchronous polls
    const gone = () => exitedAt || !existsSync(`/proc/${child.pid}`);
    for (let seen = 0; (seen = count()) < n; ) {
      if (performance.now() > end || gone()) throw new Error(`${impl.name}: ${seen}/${n} RUNNING`);
      sleepMs(poll === 'ctl' ? 20 : everyMs);
    }
    const started = performance.now() - t0;
    const times = poll === 'log' && n >= 1000 ? spawnTimes(log) : [];
    const tenth = Math.floor(times.length / 10);
    // ms per spawn over the first and the last tenth of the programs, and exec → first spawn
    const perSpawn = tenth > 1 ? { first: (times[tenth] - times[0]) / tenth, last: (times[times.length - 1] - times[times.length - 1 - tenth]) / tenth, toFirst: times[0] - wall0 } : null;
    let rss = NaN;
    let pss = NaN;
    let anon = NaN;
    let split = null;
    if (rssAfterMs) {
      await new Promise((r) => setTimeout(r, rssAfterMs));
      split = memKb(child.pid);
      ({ rss, pss, anon } = split);
    }
    const t1 = performance.now();
    process.kill(child.pid, 'SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, stopMs))]);
    if (!exitedAt) {
      process.kill(child.pid, 'SIGKILL');
      throw new Error(`${impl.name}: did not exit within ${stopMs / 1000} s of SIGTERM`);
    }
    h.startedPids.delete(child.pid);
    return { started, stopped: exitedAt - t1, rss, pss, anon, split, perSpawn };
  } finally {
    tmp.remove();
  }
}

const impls = implementations();
const table = {};
for (const impl of impls) {
  const r = (table[impl.name] = {});
  console.log(`\n[${impl.name}] ${impl.daemonCmd}`);
  const mb = (kb) => (kb / 1024).toFixed(1);
  // Idle: 5 s after the last program entered RUNNING.
  const idle = async (body, n) => {
    const m = await life(impl, body, n, { rssAfterMs: 5000 });
    const s = m.split;
    console.log(
      `  idle, ${n} running: RSS ${mb(s.rss)} MB = anonymous ${mb(s.anon)} + file-backed shared clean ${mb(s.sharedClean)} + private clean ${mb(s.privateClean)} (+ private dirty not anonymous ${mb(s.privateDirty - s.anon)}); PSS ${mb(s.pss)} MB`,
    );
    return { rss: m.rss, pss: m.pss, anon: m.anon };
  };
  if (CASES.has('memory')) {
    ({ rss: r.rssFcgi, pss: r.pssFcgi } = await idle(fcgi(await h.freePort()), 6));
    ({ rss: r.rss200, pss: r.pss200, anon: r.anon200 } = await idle(programs(200), 200));
    ({ rss: r.rss1000, pss: r.pss1000, anon: r.anon1000 } = await idle(programs(1000), 1000));
    console.log(`  RSS idle: 6 fcgi ${mb(r.rssFcgi)} MB, 200 programs ${mb(r.rss200)} MB, 1,000 programs ${mb(r.rss1000)} MB`);
    console.log(`  PSS idle: 6 fcgi ${mb(r.pssFcgi)} MB, 200 programs ${mb(r.pss200)} MB, 1,000 programs ${mb(r.pss1000)} MB`);
  }
  if (CASES.has('start')) {
    const starts = [];
    const stops = [];
    for (let i = 0; i < RUNS; i++) {
      const { started, stopped } = await life(impl, programs(200), 200);
      starts.push(started);
      stops.push(stopped);
    }
    r.start = median(starts);
    r.stop = median(stops);
    console.log(`  200 programs: start → all RUNNING ${starts.map(fmt).join(' ')} ms (median ${fmt(r.start)}); SIGTERM → exit ${stops.map(fmt).join(' ')} ms (median ${fmt(r.stop)})`);
  }
  if (CASES.has('ctl')) {
    const starts = [];
    for (let i = 0; i < RUNS; i++) starts.push((await life(impl, programs(200), 200, { poll: 'ctl' })).started);
    r.ctlStart = median(starts);
    console.log(`  200 programs, polled by \`ctl status\` every 20 ms: start → all RUNNING ${starts.map(fmt).join(' ')} ms (median ${fmt(r.ctlStart)})`);
  }
  if (CASES.has('spawn')) {
    const m = await life(impl, programs(SPAWN_N, quiet), SPAWN_N, { everyMs: 200, timeoutMs: 300_000, stopMs: 300_000, extra: `minfds=${2 * SPAWN_N + 1000}\n` });
    r.spawnAll = m.started;
    r.perSpawnFirst = m.perSpawn?.first;
    r.perSpawnLast = m.perSpawn?.last;
    console.log(
      `  ${SPAWN_N} programs (logs NONE): start → all RUNNING ${fmt(m.started)} ms; exec → first spawn ${fmt(m.perSpawn?.toFirst ?? NaN)} ms; per spawn: first tenth ${fmt(m.perSpawn?.first ?? NaN)} ms, last tenth ${fmt(m.perSpawn?.last ?? NaN)} ms`,
    );
  }
}

const ours = table.tsupervisor;
const theirs = table.supervisor;
if (ours && theirs) {
  const perProc = (t) => (t.rss1000 - t.rss200) / 800;
  // anonymous memory only: the slope without the shared code pages (which trimming and other
  // processes mapping the same binary make vary from run to run)
  const perProcAnon = (t) => (t.anon1000 - t.anon200) / 800;
  const rows = [
    ['start → 200 RUNNING, ctl polling (ms)', ours.ctlStart, theirs.ctlStart, 'at most 0.3'],
    [`start → ${SPAWN_N} RUNNING (ms)`, ours.spawnAll, theirs.spawnAll, 'at most 0.1'],
    ['  ms per spawn, first tenth', ours.perSpawnFirst, theirs.perSpawnFirst, ''],
    ['  ms per spawn, last tenth', ours.perSpawnLast, theirs.perSpawnLast, 'flat'],
    ['RSS idle, 6 fcgi workers (MB)', ours.rssFcgi / 1024, theirs.rssFcgi / 1024, 'at most 1.3'],
    ['RSS idle, 200 programs (MB)', ours.rss200 / 1024, theirs.rss200 / 1024, 'at most 1.3'],
    ['RSS idle, 1,000 programs (MB)', ours.rss1000 / 1024, theirs.rss1000 / 1024, ''],
    ['RSS per extra program (kB)', perProc(ours), perProc(theirs), 'at most 1.0'],
    ['  anonymous only (kB)', perProcAnon(ours), perProcAnon(theirs), ''],
    ['PSS idle, 6 fcgi workers (MB)', ours.pssFcgi / 1024, theirs.pssFcgi / 1024, 'at most 1.0'],
    ['PSS idle, 200 programs (MB)', ours.pss200 / 1024, theirs.pss200 / 1024, 'at most 1.0'],
    ['start → 200 RUNNING (ms)', ours.start, theirs.start, 'at most 0.5'],
    ['SIGTERM → exit, 200 programs (ms)', ours.stop, theirs.stop, 'at most 0.5'],
  ];
  console.log('\n                                     tsupervisor  supervisord   ratio   goal');
  for (const [what, a, b, goal] of rows) {
    if (!Number.isFinite(a) || !Number.isFinite(b)) continue; // case not run
    console.log(`  ${what.padEnd(34)} ${fmt(a).padStart(10)} ${fmt(b).padStart(12)} ${(a / b).toFixed(2).padStart(7)}   ${goal}`);
  }
}
process.exit(0);

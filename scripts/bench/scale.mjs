#!/usr/bin/env node
// The daemon at scale, tsupervisor and Debian's supervisord in the same run:
//   - resident memory (VmRSS from /proc/<pid>/status) idle with 6 fcgi workers, 200 and 1,000
//     programs (`sleep`), 5 s after the last one entered RUNNING; PSS beside it (shared pages
//     such as the interpreter's code divided among the processes that map them);
//   - time from exec of the daemon to 200 programs RUNNING (startsecs=0; the main log is polled
//     every 2 ms for "entered RUNNING"), and from SIGTERM to the daemon's exit.
//
//   node scripts/bench/scale.mjs          (BENCH_RUNS=5, BENCH_ONLY=tsupervisor|supervisor)
//
// The daemon is spawned directly (no ctl in the measured path); the config is the test
// harness's header plus the programs. Goals (issue 6): start and stop in at most half
// supervisord's time; RSS at most 1.5x idle and no more per extra process than supervisord.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { h, implementations, median, fmt } from './lib.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const tick = new Int32Array(new SharedArrayBuffer(4));
const sleepMs = (ms) => Atomics.wait(tick, 0, 0, ms);

const programs = (n) =>
  `\n[program:p]\ncommand=sleep 100000\nprocess_name=%(program_name)s_%(process_num)04d\nnumprocs=${n}\nstartsecs=0\n`;
const fcgi = (port) =>
  `\n[fcgi-program:w]\ncommand=sleep 100000\nsocket=tcp://127.0.0.1:${port}\nprocess_name=%(program_name)s_%(process_num)d\nnumprocs=6\nstartsecs=0\n`;

/** Resident set (RSS) and proportional set (PSS: pages shared with other processes divided among them). */
function memKb(pid) {
  const s = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  const field = (k) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(s)?.[1] ?? NaN);
  return { rss: field('Rss'), pss: field('Pss'), anon: field('Anonymous') };
}

function countRunning(log) {
  try {
    return readFileSync(log, 'utf8').split('entered RUNNING state').length - 1;
  } catch {
    return 0;
  }
}

/** One daemon life: start, wait for `n` RUNNING, optionally idle and read RSS, SIGTERM, exit. */
async function life(impl, body, n, { rssAfterMs = 0 } = {}) {
  const tmp = h.makeTmpDir('tsv-bench-');
  const dir = tmp.path;
  const conf = join(dir, 'supervisord.conf');
  const log = join(dir, 'supervisord.log');
  writeFileSync(conf, h.confHeader(dir) + body);
  try {
    const t0 = performance.now();
    const child = spawn(impl.daemonCmd, ['-c', conf], { cwd: dir, stdio: 'ignore', detached: true });
    h.startedPids.add(child.pid);
    let exitedAt = 0;
    const exited = new Promise((resolve) => child.on('exit', () => resolve((exitedAt = performance.now()))));
    const end = t0 + 60_000;
    while (countRunning(log) < n) {
      if (performance.now() > end || exitedAt) throw new Error(`${impl.name}: ${countRunning(log)}/${n} RUNNING`);
      sleepMs(2);
    }
    const started = performance.now() - t0;
    let rss = NaN;
    let pss = NaN;
    let anon = NaN;
    if (rssAfterMs) {
      await new Promise((r) => setTimeout(r, rssAfterMs));
      ({ rss, pss, anon } = memKb(child.pid));
    }
    const t1 = performance.now();
    process.kill(child.pid, 'SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 30_000))]);
    if (!exitedAt) {
      process.kill(child.pid, 'SIGKILL');
      throw new Error(`${impl.name}: did not exit within 30 s of SIGTERM`);
    }
    h.startedPids.delete(child.pid);
    return { started, stopped: exitedAt - t1, rss, pss, anon };
  } finally {
    tmp.remove();
  }
}

const impls = implementations();
const table = {};
for (const impl of impls) {
  const r = (table[impl.name] = {});
  console.log(`\n[${impl.name}] ${impl.daemonCmd}`);
  // Idle: 5 s after the last program entered RUNNING.
  const idle = async (body, n) => {
    const m = await life(impl, body, n, { rssAfterMs: 5000 });
    return { rss: m.rss, pss: m.pss, anon: m.anon };
  };
  ({ rss: r.rssFcgi, pss: r.pssFcgi } = await idle(fcgi(await h.freePort()), 6));
  ({ rss: r.rss200, pss: r.pss200, anon: r.anon200 } = await idle(programs(200), 200));
  ({ rss: r.rss1000, pss: r.pss1000, anon: r.anon1000 } = await idle(programs(1000), 1000));
  const starts = [];
  const stops = [];
  for (let i = 0; i < RUNS; i++) {
    const { started, stopped } = await life(impl, programs(200), 200);
    starts.push(started);
    stops.push(stopped);
  }
  r.start = median(starts);
  r.stop = median(stops);
  const mb = (kb) => (kb / 1024).toFixed(1);
  console.log(`  RSS idle: 6 fcgi ${mb(r.rssFcgi)} MB, 200 programs ${mb(r.rss200)} MB, 1,000 programs ${mb(r.rss1000)} MB`);
  console.log(`  PSS idle: 6 fcgi ${mb(r.pssFcgi)} MB, 200 programs ${mb(r.pss200)} MB, 1,000 programs ${mb(r.pss1000)} MB`);
  console.log(`  200 programs: start → all RUNNING ${starts.map(fmt).join(' ')} ms (median ${fmt(r.start)}); SIGTERM → exit ${stops.map(fmt).join(' ')} ms (median ${fmt(r.stop)})`);
}

const ours = table.tsupervisor;
const theirs = table.supervisor;
if (ours && theirs) {
  const perProc = (t) => (t.rss1000 - t.rss200) / 800;
  // anonymous memory only: the slope without the shared code pages (which trimming and other
  // processes mapping the same binary make vary from run to run)
  const perProcAnon = (t) => (t.anon1000 - t.anon200) / 800;
  const rows = [
    ['RSS idle, 6 fcgi workers (MB)', ours.rssFcgi / 1024, theirs.rssFcgi / 1024, 'at most 1.5'],
    ['RSS idle, 200 programs (MB)', ours.rss200 / 1024, theirs.rss200 / 1024, 'at most 1.5'],
    ['RSS idle, 1,000 programs (MB)', ours.rss1000 / 1024, theirs.rss1000 / 1024, ''],
    ['RSS per extra program (kB)', perProc(ours), perProc(theirs), 'at most 1.0'],
    ['  anonymous only (kB)', perProcAnon(ours), perProcAnon(theirs), ''],
    ['PSS idle, 6 fcgi workers (MB)', ours.pssFcgi / 1024, theirs.pssFcgi / 1024, ''],
    ['PSS idle, 200 programs (MB)', ours.pss200 / 1024, theirs.pss200 / 1024, ''],
    ['start → 200 RUNNING (ms)', ours.start, theirs.start, 'at most 0.5'],
    ['SIGTERM → exit, 200 programs (ms)', ours.stop, theirs.stop, 'at most 0.5'],
  ];
  console.log('\n                                     tsupervisor  supervisord   ratio   goal');
  for (const [what, a, b, goal] of rows) {
    console.log(`  ${what.padEnd(34)} ${fmt(a).padStart(10)} ${fmt(b).padStart(12)} ${(a / b).toFixed(2).padStart(7)}   ${goal}`);
  }
}
process.exit(0);

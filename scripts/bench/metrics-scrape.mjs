#!/usr/bin/env node
// The cost of a Prometheus scrape with 1,000 programs (`sleep infinity`, startsecs=0):
//   - tsupervisor: GET /metrics on [inet_http_server];
//   - beside it, when installed: node_exporter's supervisord collector
//     (`prometheus-node-exporter --collector.disable-defaults --collector.supervisord`, which
//     calls supervisor.getAllProcessInfo over XML-RPC) against Debian's supervisord 4.2.5 with
//     the same 1,000 programs.
// One scrape a second (BENCH_SCRAPES=60 of them: issue 12's 60 s) after 5 s idle: latency
// p50/p99 seen by the client, bytes of the answer, and the CPU the scraped side used
// (utime+stime from /proc over the scraping window: the daemon's; for node_exporter, its own
// plus supervisord's), per scrape and as a percentage of one core over the window; the load
// average of the machine before and after.
//
//   node scripts/bench/metrics-scrape.mjs      (BENCH_SCRAPES, BENCH_PROGRAMS)
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { h, implementations, fmt } from './lib.mjs';

const SCRAPES = Number(process.env.BENCH_SCRAPES ?? 60);
const PROGRAMS = Number(process.env.BENCH_PROGRAMS ?? 1000);
const TICKS = 100; // USER_HZ
const EXPORTER = 'prometheus-node-exporter';

const programs = (n) =>
  `\n[program:p]\ncommand=sleep infinity\nprocess_name=%(program_name)s_%(process_num)04d\nnumprocs=${n}\nstartsecs=0\n`;
const cpuTicks = (pid) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'latin1').split(') ')[1].split(' ');
  return Number(f[11]) + Number(f[12]);
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function scrape(port, path) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    http
      .get({ host: '127.0.0.1', port, path, headers: { Accept: 'text/plain;version=0.0.4' } }, (res) => {
        let bytes = 0;
        res.on('data', (c) => (bytes += c.length));
        res.on('end', () => (res.statusCode === 200 ? resolve({ ms: performance.now() - t0, bytes }) : reject(new Error(`${path}: ${res.statusCode}`))));
      })
      .on('error', reject);
  });
}

const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];

/** Starts `daemonCmd` with the programs and [inet_http_server]; resolves once all are RUNNING. */
async function startDaemon(daemonCmd, dir, port) {
  const conf = join(dir, 'supervisord.conf');
  writeFileSync(conf, `${h.confHeader(dir)}\n[inet_http_server]\nport=127.0.0.1:${port}\n${programs(PROGRAMS)}`);
  const child = spawn(daemonCmd, ['-c', conf], { cwd: dir, stdio: 'ignore', detached: true });
  h.startedPids.add(child.pid);
  const log = join(dir, 'supervisord.log');
  await h.waitFor(`${PROGRAMS} programs RUNNING`, () => {
    try {
      return readFileSync(log, 'utf8').split('entered RUNNING state').length - 1 >= PROGRAMS;
    } catch {
      return false;
    }
  }, 180_000, 200);
  return child;
}

/** SCRAPES scrapes a second apart; `cpuPids` are the processes whose CPU the scrapes cost. */
async function measure(port, path, cpuPids) {
  await sleep(5000);
  const load0 = loadavg();
  const before = cpuPids.map(cpuTicks);
  const t0 = performance.now();
  const times = [];
  let bytes = 0;
  for (let i = 0; i < SCRAPES; i++) {
    const next = t0 + (i + 1) * 1000;
    const r = await scrape(port, path);
    times.push(r.ms);
    bytes = r.bytes;
    await sleep(Math.max(0, next - performance.now()));
  }
  const cpuMs = cpuPids.reduce((sum, pid, i) => sum + (cpuTicks(pid) - before[i]) * (1000 / TICKS), 0);
  const window = (performance.now() - t0) / 1000;
  return { p50: pct(times, 0.5), p99: pct(times, 0.99), bytes, cpuPerScrape: cpuMs / SCRAPES, cpuPct: cpuMs / (10 * window), window, load: `${load0} → ${loadavg()}` };
}

async function stop(child) {
  const exited = new Promise((r) => child.once('exit', r));
  process.kill(child.pid, 'SIGTERM');
  await Promise.race([exited, sleep(60_000)]);
  try {
    process.kill(child.pid, 'SIGKILL');
  } catch {
    /* gone */
  }
  h.startedPids.delete(child.pid);
}

const results = {};
for (const impl of implementations()) {
  const haveExporter = spawnSync('sh', ['-c', `command -v ${EXPORTER}`], { stdio: 'ignore' }).status === 0;
  if (impl.name === 'supervisor' && !haveExporter) {
    console.log(`(${EXPORTER} is not installed: no node_exporter comparison)`);
    continue;
  }
  const tmp = h.makeTmpDir('tsv-bench-');
  const port = await h.freePort();
  let daemon = null;
  let exporter = null;
  try {
    console.log(`[${impl.name}] ${PROGRAMS} programs, ${SCRAPES} scrapes`);
    daemon = await startDaemon(impl.daemonCmd, tmp.path, port);
    if (impl.name === 'tsupervisor') {
      results[impl.name] = await measure(port, '/metrics', [daemon.pid]);
    } else {
      const xport = await h.freePort();
      exporter = spawn(
        EXPORTER,
        ['--collector.disable-defaults', '--collector.supervisord', `--collector.supervisord.url=http://127.0.0.1:${port}/RPC2`, `--web.listen-address=127.0.0.1:${xport}`],
        { stdio: 'ignore' },
      );
      h.startedPids.add(exporter.pid);
      await h.waitForPort(xport, 20_000);
      results[impl.name] = await measure(xport, '/metrics', [daemon.pid, exporter.pid]);
    }
    const r = results[impl.name];
    console.log(`  latency p50 ${fmt(r.p50)} ms, p99 ${fmt(r.p99)} ms; ${r.bytes} bytes; CPU ${fmt(r.cpuPerScrape)} ms per scrape, ${r.cpuPct.toFixed(1)} % of a core (over ${r.window.toFixed(0)} s; load average ${r.load})`);
  } finally {
    if (exporter) {
      exporter.kill('SIGKILL');
      h.startedPids.delete(exporter.pid);
    }
    if (daemon) await stop(daemon);
    tmp.remove();
  }
}

const ours = results.tsupervisor;
const theirs = results.supervisor;
if (ours && theirs) {
  console.log('\n                          tsupervisor /metrics   node_exporter+supervisord   ratio');
  for (const [what, k] of [['latency p50 (ms)', 'p50'], ['latency p99 (ms)', 'p99'], ['CPU per scrape (ms)', 'cpuPerScrape'], ['CPU, % of a core', 'cpuPct'], ['bytes', 'bytes']]) {
    console.log(`  ${what.padEnd(22)} ${fmt(ours[k]).padStart(14)} ${fmt(theirs[k]).padStart(22)} ${(ours[k] / theirs[k]).toFixed(2).padStart(12)}`);
  }
  console.log('  goal (issue 12): latency and CPU at most 0.2x');
}
process.exit(0);

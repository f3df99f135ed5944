#!/usr/bin/env node
// 1,000 programs and 50 ctl clients calling `status` in a loop for a bounded time, tsupervisor
// and Debian's supervisord in the same run: errors (exit code not 0, wrong row count, stderr),
// p50/p99 of one `status` (a whole ctl process, as a user or a script sees it), the daemon's
// CPU share and its peak RSS. For tsupervisor also 50 JSON-RPC connections calling
// getAllProcessInfo in a loop (the daemon's side alone, no process start-up).
//
//   node scripts/bench/status-load.mjs    (BENCH_SECONDS=20, BENCH_CLIENTS=50, BENCH_PROGRAMS=1000,
//                                          BENCH_ONLY=tsupervisor|supervisor, BENCH_LOADS=ctl,rpc)
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { h, implementations, fmt } from './lib.mjs';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 50);
const PROGRAMS = Number(process.env.BENCH_PROGRAMS ?? 1000);
const LOADS = (process.env.BENCH_LOADS ?? 'ctl,rpc').split(',');
const CONF = `
[program:p]
command=sleep 100000
process_name=%(program_name)s_%(process_num)04d
numprocs=${PROGRAMS}
startsecs=0
`;

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))];
};
const rssKb = (pid) => Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);

async function ctlLoad(d) {
  const end = Date.now() + SECONDS * 1000;
  const times = [];
  const errors = [];
  const client = async () => {
    while (Date.now() < end) {
      const t0 = performance.now();
      const r = await h.runCmd(d.ctlCmd, ['-c', d.conf, 'status'], { cwd: d.dir, timeoutMs: 60_000 });
      const ms = performance.now() - t0;
      const rows = r.stdout.split('\n').filter((l) => /\sRUNNING\s/.test(l)).length;
      if (r.code !== 0 || rows !== PROGRAMS || r.stderr) errors.push(`code ${r.code}, ${rows} rows, stderr ${r.stderr.slice(0, 200)}`);
      else times.push(ms);
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, client));
  return { times, errors };
}

async function rpcLoad(d) {
  const sock = join(d.dir, 'supervisor.sock');
  const end = Date.now() + SECONDS * 1000;
  const times = [];
  const errors = [];
  const client = async () => {
    const c = await h.RawConnection.open(sock, 10_000);
    while (Date.now() < end) {
      const t0 = performance.now();
      const m = await c.call('supervisor.getAllProcessInfo', undefined, 60_000);
      if (!Array.isArray(m.result) || m.result.length !== PROGRAMS) errors.push(JSON.stringify(m).slice(0, 200));
      else times.push(performance.now() - t0);
    }
    c.destroy();
  };
  await Promise.all(Array.from({ length: CLIENTS }, client));
  return { times, errors };
}

function report(label, d, { times, errors }, cpuMs, peakKb) {
  if (times.length === 0) times.push(NaN);
  console.log(
    `  ${label.padEnd(34)} ${String(times.length).padStart(6)} calls, ${errors.length} errors, ` +
      `p50 ${fmt(pct(times, 0.5))} ms, p99 ${fmt(pct(times, 0.99))} ms, max ${fmt(Math.max(...times))} ms; ` +
      `daemon CPU ${((cpuMs / (SECONDS * 1000)) * 100).toFixed(0)}% of a core, peak RSS ${(peakKb / 1024).toFixed(1)} MB`,
  );
  for (const e of errors.slice(0, 5)) console.log(`    error: ${e}`);
  return { calls: times.length, errors: errors.length, p50: pct(times, 0.5), p99: pct(times, 0.99) };
}

async function measured(d, load) {
  const cpu0 = h.cpuMs(d.pid);
  const rss = h.sampler(() => rssKb(d.pid), 200);
  const r = await load(d);
  const peak = rss.max();
  rss.stop();
  return [r, h.cpuMs(d.pid) - cpu0, peak];
}

const results = {};
for (const impl of implementations()) {
  const d = await h.startDaemon(CONF, { daemonCmd: impl.daemonCmd, readyTimeoutMs: 120_000 });
  try {
    await h.waitFor('every program RUNNING', async () => (await d.status()).filter((r) => r.state === 'RUNNING').length === PROGRAMS, 120_000, 500);
    console.log(`\n[${impl.name}] ${PROGRAMS} programs, ${CLIENTS} clients, ${SECONDS} s   (${d.daemonCmd}, pid ${d.pid})`);
    if (LOADS.includes('ctl')) results[impl.name] = report(`ctl status`, d, ...(await measured(d, ctlLoad)));
    if (impl.name === 'tsupervisor' && LOADS.includes('rpc')) report('JSON-RPC getAllProcessInfo', d, ...(await measured(d, rpcLoad)));
  } finally {
    await d.stop();
  }
}
const a = results.tsupervisor;
const b = results.supervisor;
if (a && b) {
  console.log(`\nctl status under load, tsupervisor/supervisor: p50 ${(a.p50 / b.p50).toFixed(2)}, p99 ${(a.p99 / b.p99).toFixed(2)}, calls ${(a.calls / b.calls).toFixed(2)}x`);
}
process.exit(Object.values(results).some((r) => r.errors > 0) ? 1 : 0);

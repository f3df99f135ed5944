#!/usr/bin/env node
// What a FastCGI pool restart costs the clients: nginx + wrk in front of 6 fast Go workers
// (SLEEP_MS=0) for 10 s while `restart fastcgi_test:*` runs (and, for tsupervisor, a second
// run with `restart --rolling fastcgi_test:*`), for tsupervisor and Debian's supervisord when
// installed. Per run: requests, failed requests (wrk's non-2xx + socket errors), the longest
// window in which the FastCGI port refused connections (a separate prober connects to
// 127.0.0.1:port every 1 ms), wrk's p99 latency, and how long the ctl command took.
//
//   node scripts/bench/fcgi-restart.mjs     (BENCH_SECONDS=10, BENCH_ROUNDS=3,
//                                            BENCH_ONLY=tsupervisor|supervisor, WRK_THREADS=2, WRK_CONNECTIONS=16)
//
// BENCH_APP=article: the seed article's app as most FastCGI programs behave (1 s per request,
// dies on SIGTERM mid-request: SLEEP_MS=1000 ON_SIGTERM=exit), and tsupervisor measured twice,
// without and with socket_drain=true ("tsupervisor+drain", docs/fastcgi.md).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { h, implementations } from './lib.mjs';

const SECONDS = Math.min(Number(process.env.BENCH_SECONDS ?? 10), 120);
const THREADS = Number(process.env.WRK_THREADS ?? 2);
const CONNECTIONS = Number(process.env.WRK_CONNECTIONS ?? 16);
// Early enough that a rolling restart of six workers (startsecs=1) ends inside the 10 s.
const RESTART_AT_MS = 1_500;
const NUMPROCS = 6;
const ARTICLE = process.env.BENCH_APP === 'article';
const PROBER = fileURLToPath(new URL('./connect-prober.mjs', import.meta.url));

const section = (bin, port, drain) => `
[fcgi-program:fastcgi_test]
socket=tcp://127.0.0.1:${port}
command=${bin}
${ARTICLE ? 'environment=SLEEP_MS="1000",ON_SIGTERM="exit"' : 'environment=SLEEP_MS="0"'}${drain ? '\nsocket_drain=true' : ''}
process_name=%(program_name)s_%(process_num)02d
numprocs=${NUMPROCS}
autostart=true
autorestart=true
startsecs=1
stopwaitsecs=10
`;

/** Runs a command to completion (bounded); resolves with its stdout and exit code. */
function run(cmd, args, timeoutMs) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ out, code });
    });
  });
}

/** wrk's duration strings (`1.23ms`, `850.00us`, `1.01s`) in ms. */
function toMs(s) {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(s);
  if (!m) return NaN;
  return Number(m[1]) * { us: 0.001, ms: 1, s: 1000, m: 60_000 }[m[2]];
}

export function parseWrk(out) {
  const requests = Number(/(\d+) requests in/.exec(out)?.[1] ?? NaN);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
  const se = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const socketErrors = se ? se.slice(1).reduce((a, b) => a + Number(b), 0) : 0;
  const p99 = toMs(/^\s+99%\s+(\S+)/m.exec(out)?.[1] ?? '');
  return { requests, non2xx, socketErrors, failed: non2xx + socketErrors, p99 };
}

async function measure(impl, rolling, drain) {
  const bin = await h.buildGoApp();
  const fcgiPort = await h.freePort();
  const httpPort = await h.freePort();
  const d = await h.startDaemon(section(bin, fcgiPort, drain), { daemonCmd: impl.daemonCmd, dirMode: 0o755 });
  let nginx;
  try {
    for (let i = 0; i < NUMPROCS; i++) await d.waitState(`fastcgi_test:fastcgi_test_0${i}`, 'RUNNING', 20_000);
    nginx = await h.startNginx({
      listenPort: httpPort,
      fastcgiPass: `127.0.0.1:${fcgiPort}`,
      user: process.getuid?.() === 0 ? 'nobody nogroup' : undefined,
    });
    const args = rolling ? ['restart', '--rolling', 'fastcgi_test:*'] : ['restart', 'fastcgi_test:*'];
    console.log(`\n[${impl.name}] ${d.daemonCmd} -c ${d.conf}; wrk -t${THREADS} -c${CONNECTIONS} -d${SECONDS}s --latency http://127.0.0.1:${httpPort}/ ; at ${RESTART_AT_MS} ms: ctl ${args.join(' ')}`);
    const prober = run(process.execPath, [PROBER, String(fcgiPort), String(SECONDS * 1000)], SECONDS * 1000 + 15_000);
    const wrk = run('wrk', [`-t${THREADS}`, `-c${CONNECTIONS}`, `-d${SECONDS}s`, '--latency', '--timeout', '10s', `http://127.0.0.1:${httpPort}/`], SECONDS * 1000 + 30_000);
    await h.sleep(RESTART_AT_MS);
    const t0 = performance.now();
    const ctl = await d.ctl(args, 90_000);
    const restartMs = performance.now() - t0;
    const w = await wrk;
    const probe = JSON.parse((await prober).out.trim().split('\n').pop());
    const stats = parseWrk(w.out);
    if (ctl.code !== 0) console.log(`  ctl exit ${ctl.code}: ${(ctl.stdout + ctl.stderr).trim().split('\n').slice(-2).join(' | ')}`);
    console.log(`  wrk: ${w.out.split('\n').filter((l) => /requests in|Non-2xx|Socket errors|99%/.test(l)).map((l) => l.trim()).join(' | ')}`);
    console.log(`  prober: ${JSON.stringify(probe)}`);
    return { impl: drain ? `${impl.name}+drain` : impl.name, mode: rolling ? 'rolling' : 'restart', ...stats, refusedMs: probe.longestRefusedMs, refusedProbes: probe.refused, restartMs, ctlCode: ctl.code };
  } finally {
    await nginx?.stop();
    await d.stop();
  }
}

const ROUNDS = Math.min(Math.max(Number(process.env.BENCH_ROUNDS ?? 3), 1), 10);
const rows = [];
for (let round = 1; round <= ROUNDS; round++) {
  for (const impl of implementations()) {
    for (const rolling of [false, true]) {
      const mode = rolling ? 'rolling' : 'restart';
      if (rolling && impl.name === 'supervisor') {
        if (round === 1) rows.push({ impl: impl.name, mode, round, skipped: 'supervisorctl has no --rolling' });
        continue;
      }
      try {
        rows.push({ round, ...(await measure(impl, rolling, false)) });
        if (ARTICLE && impl.name === 'tsupervisor') rows.push({ round, ...(await measure(impl, rolling, true)) });
      } catch (e) {
        console.log(`[${impl.name}] failed: ${e.message.split('\n')[0]}`);
        rows.push({ impl: impl.name, mode, round, skipped: `failed: ${e.message.split('\n')[0]}` });
      }
    }
  }
}

const f = (x, digits = 1) => (Number.isFinite(x) ? x.toFixed(digits) : '-');
const line = (r, label) =>
  `${r.impl.padEnd(17)} ${r.mode.padEnd(9)} ${label.padEnd(7)} ${String(r.requests).padStart(8)}   ${`${r.failed} (${r.non2xx}+${r.socketErrors})`.padEnd(25)} ${`${f(r.refusedMs)} ms`.padStart(22)}   ${String(r.refusedProbes).padStart(14)}   ${`${f(r.p99, 2)} ms`.padStart(11)}   ${f(r.restartMs, 0)} ms`;
const median = (xs) => [...xs].sort((a, b) => a - b)[(xs.length - 1) >> 1];
console.log(`\nFastCGI pool restart under load: nginx + wrk -t${THREADS} -c${CONNECTIONS} -d${SECONDS}s, ${NUMPROCS} Go workers (${ARTICLE ? 'SLEEP_MS=1000, die on SIGTERM' : 'SLEEP_MS=0'}), restart at ${RESTART_AT_MS / 1000} s, ${ROUNDS} round(s)`);
console.log('impl              mode      round   requests   failed (non-2xx+socket)   longest refused window   refused probes   p99 latency   ctl took');
for (const r of rows) console.log(r.skipped ? `${r.impl.padEnd(17)} ${r.mode.padEnd(9)} ${String(r.round).padEnd(7)} ${r.skipped}` : line(r, String(r.round)));
console.log('summary (failed: sum; refused window and refused probes: max; requests, p99, ctl: median)');
for (const key of [...new Set(rows.filter((r) => !r.skipped).map((r) => `${r.impl} ${r.mode}`))]) {
  const rs = rows.filter((r) => !r.skipped && `${r.impl} ${r.mode}` === key);
  const sum = (k) => rs.reduce((a, r) => a + r[k], 0);
  const max = (k) => Math.max(...rs.map((r) => r[k]));
  const med = (k) => median(rs.map((r) => r[k]));
  console.log(line({ impl: rs[0].impl, mode: rs[0].mode, requests: med('requests'), failed: sum('failed'), non2xx: sum('non2xx'), socketErrors: sum('socketErrors'), refusedMs: max('refusedMs'), refusedProbes: max('refusedProbes'), p99: med('p99'), restartMs: med('restartMs') }, 'all'));
}
console.log(`\ncommand: node scripts/bench/fcgi-restart.mjs   (BENCH_APP=${ARTICLE ? 'article' : 'fast'} BENCH_SECONDS=${SECONDS} BENCH_ROUNDS=${ROUNDS} WRK_THREADS=${THREADS} WRK_CONNECTIONS=${CONNECTIONS})`);
process.exit(rows.some((r) => !r.skipped) ? 0 : 1);

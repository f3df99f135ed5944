#!/usr/bin/env node
// How long `reexec` (issue 14) keeps the daemon away: the time from asking for it to the
// control socket answering again, and the longest pause in a program's output reaching its log.
//
//   node scripts/bench/reexec.mjs        (BENCH_RUNS=5 reexecs per case, BENCH_CASES=6,1000)
//
// Each case runs one daemon with a ticker (perl printing a timestamp line every 1 ms to its
// log) and N-1 other programs (`sleep`), then does BENCH_RUNS reexecs one second apart. For each:
//   - answer: from sending tsupervisor.reexec on a connection of its own to the first
//     supervisor.getPID answered by the new image (a fresh connection made as soon as the reexec
//     is answered; the kept socket queues it in its backlog during the exec; one the old image
//     retires with its 'reexec' notice is made again);
//   - log pause: the longest time the ticker's log file did not grow, polled every 1 ms
//     (stat), from 200 ms before the reexec to 500 ms after the answer.
// tsupervisor only: supervisord has no way to restart without restarting every program.
import { statSync } from 'node:fs';
import { h, summary, fmt } from './lib.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const CASES = (process.env.BENCH_CASES ?? '6,1000').split(',').map(Number);

const conf = (n) => `
[program:ticker]
command=perl -MTime::HiRes=time,sleep -e '$|=1; while (1) { printf "%%.6f\\n", time; sleep 0.001 }'
startsecs=0
stdout_logfile=@TMP@/ticker.log
stdout_logfile_maxbytes=0
${
  n > 1
    ? `
[program:worker]
command=sleep 100000
process_name=%(program_name)s_%(process_num)04d
numprocs=${n - 1}
startsecs=0
`
    : ''
}`;

/** Calls getPID on fresh connections until one is answered (a retired one is made again). */
async function answered(path) {
  for (;;) {
    const c = await h.RawConnection.open(path, 10_000);
    try {
      const m = await c.call('supervisor.getPID', {}, 10_000);
      if (m.result !== undefined) return;
    } catch {
      /* retired by the old image ('reexec' notice, then closed): again */
    } finally {
      c.destroy();
    }
  }
}

/** Polls the size of `file` every ~1 ms; stop() returns the longest time without growth in [from, to]. */
function watchGrowth(file) {
  let last = statSync(file).size;
  let lastGrowth = performance.now();
  const gaps = []; // [start, end]
  const timer = setInterval(() => {
    const size = statSync(file).size;
    const now = performance.now();
    if (size !== last) {
      gaps.push([lastGrowth, now]);
      last = size;
      lastGrowth = now;
    }
  }, 1);
  return {
    stop(from, to) {
      clearInterval(timer);
      // a file that has not grown again by now: its open gap counts too
      gaps.push([lastGrowth, performance.now()]);
      return Math.max(0, ...gaps.filter(([a, b]) => b >= from && a <= to).map(([a, b]) => b - a));
    },
  };
}

async function runCase(n) {
  const d = await h.startDaemon(conf(n), { readyTimeoutMs: 180_000 });
  try {
    await h.waitFor(`${n} programs running`, async () => (await d.status()).filter((r) => r.state === 'RUNNING').length === n, 120_000, 200);
    const sock = `${d.dir}/supervisor.sock`;
    const log = `${d.dir}/ticker.log`;
    const answers = [];
    const pauses = [];
    for (let i = 0; i < RUNS; i++) {
      await h.sleep(1000);
      const before = (d.logs().match(/re-executed with pid/g) ?? []).length;
      const watch = watchGrowth(log);
      await h.sleep(200);
      const ctl = await h.RawConnection.open(sock);
      const t0 = performance.now();
      const r = await ctl.call('tsupervisor.reexec', {}, 30_000);
      ctl.destroy();
      if (r.result !== true) throw new Error(`reexec refused: ${JSON.stringify(r)}`);
      await answered(sock);
      const t1 = performance.now();
      await h.sleep(500);
      pauses.push(watch.stop(t0 - 200, t1 + 500));
      answers.push(t1 - t0);
      await h.waitFor('the re-executed line', () => (d.logs().match(/re-executed with pid/g) ?? []).length > before, 10_000);
    }
    return { n, answer: summary(answers), pause: summary(pauses) };
  } finally {
    await d.stop();
  }
}

const show = (s) => `median ${fmt(s.median)} ms (n=${s.n}, min ${fmt(s.min)}, max ${fmt(s.max)})`;
for (const n of CASES) {
  const r = await runCase(n);
  console.log(`\n${n} programs`);
  console.log(`  reexec → control socket answering: ${show(r.answer)}`);
  console.log(`  longest pause of the ticker's log:  ${show(r.pause)}`);
}
console.log('\n  goal: < 200 ms and < 100 ms with 6 programs; 1,000 reported');

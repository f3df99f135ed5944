#!/usr/bin/env node
// How long `ctl status` takes with 6 processes running: the whole command as a person runs
// it (start of the ctl binary included).
//
//   node scripts/bench/status-speed.mjs           (BENCH_RUNS=30, BENCH_ONLY=tsupervisor|supervisor)
//
// Both daemons (tsupervisor, and Debian's supervisord when installed) run side by side on the
// same work; then one hyperfine invocation (-N, 3 warmups, 30 runs) times each ctl, or, without
// hyperfine, a loop that alternates between them (30 runs each).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { h, implementations, printComparison, summary, fmt } from './lib.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 30);
const NUMPROCS = 6;
const CONF = `
[program:worker]
command=sleep 100000
process_name=%(program_name)s_%(process_num)02d
numprocs=${NUMPROCS}
startsecs=0
stopwaitsecs=2
`;
const hyperfine = spawnSync('sh', ['-c', 'command -v hyperfine'], { stdio: 'ignore' }).status === 0;

async function prepare(impl) {
  const d = await h.startDaemon(CONF, { daemonCmd: impl.daemonCmd });
  try {
    for (let i = 0; i < NUMPROCS; i++) await d.waitState(`worker:worker_0${i}`, 'RUNNING');
    const args = ['-c', d.conf, 'status'];
    const cmdline = `${d.ctlCmd} ${args.join(' ')}`;
    const check = spawnSync(d.ctlCmd, args, { encoding: 'utf8' });
    if (check.status !== 0 || check.stdout.split('\n').filter(Boolean).length !== NUMPROCS) {
      throw new Error(`\`${cmdline}\` exited ${check.status}: ${check.stdout}${check.stderr}`);
    }
    return { name: impl.name, d, args, cmdline };
  } catch (e) {
    await d.stop();
    throw e;
  }
}

function withHyperfine(runs) {
  const json = join(runs[0].d.dir, 'hyperfine.json');
  const hf = ['-N', '--warmup', '3', '--runs', String(RUNS), '--export-json', json, ...runs.map((r) => r.cmdline)];
  console.log(`\nhyperfine ${hf.slice(0, 7).join(' ')} ${runs.map((r) => `'${r.cmdline}'`).join(' ')}`);
  const r = spawnSync('hyperfine', hf, { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) throw new Error(`hyperfine exited ${r.status}`);
  const results = JSON.parse(readFileSync(json, 'utf8')).results;
  return runs.map((run, i) => ({ name: run.name, summary: summary(results[i].times.map((s) => s * 1000)) }));
}

function withLoop(runs) {
  for (const run of runs) console.log(`\n[${run.name}] ${run.cmdline}`);
  const times = runs.map(() => []);
  for (let i = 0; i < RUNS + 3; i++) {
    runs.forEach((run, k) => {
      const t0 = performance.now();
      spawnSync(run.d.ctlCmd, run.args, { stdio: 'ignore' });
      if (i >= 3) times[k].push(performance.now() - t0);
    });
  }
  runs.forEach((run, k) => console.log(`  ${run.name} runs (ms): ${times[k].map(fmt).join(' ')}`));
  return runs.map((run, k) => ({ name: run.name, summary: summary(times[k]) }));
}

const runs = [];
let results = [];
try {
  for (const impl of implementations()) {
    try {
      runs.push(await prepare(impl));
    } catch (e) {
      console.log(`[${impl.name}] failed: ${e.message.split('\n')[0]}`);
    }
  }
  if (runs.length) results = hyperfine ? withHyperfine(runs) : withLoop(runs);
} finally {
  for (const run of runs) await run.d.stop();
}
printComparison(
  `\`ctl status\` with ${NUMPROCS} processes RUNNING, ${RUNS} runs${hyperfine ? ' (hyperfine)' : ' (alternating loop)'}`,
  results,
  'ms',
  'tsupervisorctl ≤ 0.6 × supervisorctl (supervisorctl measured here: about 117 ms)',
);
process.exit(results.length ? 0 : 1);

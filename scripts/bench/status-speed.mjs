#!/usr/bin/env node
// How long `ctl status` takes with 6 processes running: the whole command as a person runs
// it (start of the ctl binary included).
//
//   node scripts/bench/status-speed.mjs           (BENCH_RUNS=30, BENCH_ONLY=tsupervisor|supervisor)
//
// Uses hyperfine (-N, 3 warmups, 30 runs) when installed, else a loop of 30 runs. Debian's
// supervisorctl against its supervisord (when installed) on the same work for comparison.
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

async function measure(impl) {
  const d = await h.startDaemon(CONF, { daemonCmd: impl.daemonCmd });
  try {
    for (let i = 0; i < NUMPROCS; i++) await d.waitState(`worker:worker_0${i}`, 'RUNNING');
    const args = ['-c', d.conf, 'status'];
    const cmdline = `${d.ctlCmd} ${args.join(' ')}`;
    const check = spawnSync(d.ctlCmd, args, { encoding: 'utf8' });
    if (check.status !== 0 || check.stdout.split('\n').filter(Boolean).length !== NUMPROCS) {
      throw new Error(`\`${cmdline}\` exited ${check.status}: ${check.stdout}${check.stderr}`);
    }
    let times;
    if (hyperfine) {
      const json = join(d.dir, 'hyperfine.json');
      const hf = ['-N', '--warmup', '3', '--runs', String(RUNS), '--export-json', json, cmdline];
      console.log(`\n[${impl.name}] hyperfine ${hf.slice(0, -1).join(' ')} '${cmdline}'`);
      const r = spawnSync('hyperfine', hf, { stdio: ['ignore', 'inherit', 'inherit'] });
      if (r.status !== 0) throw new Error(`hyperfine exited ${r.status}`);
      times = JSON.parse(readFileSync(json, 'utf8')).results[0].times.map((s) => s * 1000);
    } else {
      console.log(`\n[${impl.name}] ${RUNS} runs of: ${cmdline}`);
      times = [];
      for (let i = 0; i < RUNS + 3; i++) {
        const t0 = performance.now();
        spawnSync(d.ctlCmd, args, { stdio: 'ignore' });
        if (i >= 3) times.push(performance.now() - t0);
      }
      console.log(`  runs (ms): ${times.map(fmt).join(' ')}`);
    }
    return { name: impl.name, summary: summary(times) };
  } finally {
    await d.stop();
  }
}

const results = [];
for (const impl of implementations()) {
  try {
    results.push(await measure(impl));
  } catch (e) {
    console.log(`[${impl.name}] failed: ${e.message.split('\n')[0]}`);
  }
}
printComparison(
  `\`ctl status\` with ${NUMPROCS} processes RUNNING, ${RUNS} runs${hyperfine ? ' (hyperfine)' : ''}`,
  results,
  'ms',
  'tsupervisorctl ≤ 0.6 × supervisorctl (supervisorctl measured here: about 117 ms)',
);
process.exit(results.length ? 0 : 1);

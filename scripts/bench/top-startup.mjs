#!/usr/bin/env node
// Does `top` slow the other commands' start? `tsupervisorctl status` (6 processes RUNNING)
// timed with three builds of the ctl's main bundle, made here with esbuild from the same
// packages/ctl/dist/src (run `pnpm run build` first):
//   - as shipped: top's code apart (dist/tsupervisorctl-top.cjs, required on `top` only);
//   - top inlined: the same bundle with top's code inside (what every command would parse);
//   - no top: top's code replaced by an empty module (the ctl as if top did not exist).
// hyperfine -N, 3 warmups, BENCH_RUNS runs each (default 20) per round; hyperfine runs one
// command's runs after the other's, so on a loaded machine a slow spell lands on one build:
// BENCH_ROUNDS rounds (default 3), each with the builds in a rotated order, pooled. The bundles'
// sizes and the machine's load average are printed with the figures; user+system CPU is the
// figure that load disturbs least. Beside it, what a start pays for the bytes it parses: each
// bundle compiled by vm.Script (as require does; V8 pre-parses function bodies) COMPILES times
// in this process, the median CPU time per compile.
//
//   node scripts/bench/top-startup.mjs
import { spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { build } from 'esbuild';
import { h, summary, fmt } from './lib.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const COMPILES = 50;
if (spawnSync('sh', ['-c', 'command -v hyperfine'], { stdio: 'ignore' }).status !== 0) {
  console.error('hyperfine is not installed');
  process.exit(2);
}

/** Median CPU milliseconds of compiling `file` as require would (a fresh vm.Script each time). */
function compileCpu(file) {
  const source = `(function (exports, require, module, __filename, __dirname) {${readFileSync(file, 'utf8')}\n})`;
  const times = [];
  for (let i = 0; i < COMPILES; i++) {
    const t0 = process.cpuUsage();
    new vm.Script(source, { filename: `${file}#${i}` });
    const t = process.cpuUsage(t0);
    times.push((t.user + t.system) / 1000);
  }
  return summary(times).median;
}

const d = await h.startDaemon(`
[program:worker]
command=sleep 100000
process_name=%(program_name)s_%(process_num)02d
numprocs=6
startsecs=0
`);
try {
  for (let i = 0; i < 6; i++) await d.waitState(`worker:worker_0${i}`, 'RUNNING');
  const bundle = (outfile, plugins) =>
    build({ entryPoints: [join(root, 'packages/ctl/dist/src/main.js')], outfile, bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'warning', plugins });
  const noTop = {
    name: 'no-top',
    setup(b) {
      b.onResolve({ filter: /^\.\.\/top\/index\.js$/ }, () => ({ path: 'top', namespace: 'empty' }));
      b.onLoad({ filter: /.*/, namespace: 'empty' }, () => ({ contents: 'export {}', loader: 'js' }));
    },
  };
  const builds = [
    { name: 'as shipped (top apart)', file: join(root, 'packages/ctl/dist/tsupervisorctl.cjs') },
    { name: 'top inlined', file: join(d.dir, 'inlined.cjs') },
    { name: 'no top', file: join(d.dir, 'no-top.cjs') },
  ];
  await bundle(builds[1].file, []);
  await bundle(builds[2].file, [noTop]);
  const commands = builds.map((b) => `${process.execPath} ${b.file} -c ${d.conf} status`);
  for (const c of commands) {
    const r = spawnSync('sh', ['-c', c], { encoding: 'utf8' });
    if (r.stdout.split('\n').filter(Boolean).length !== 6) throw new Error(`${c}: ${r.stdout}${r.stderr}`);
  }
  const json = join(d.dir, 'hyperfine.json');
  const before = loadavg();
  const pooled = builds.map(() => ({ times: [], cpu: [] }));
  for (let round = 0; round < ROUNDS; round++) {
    const order = builds.map((_, i) => (i + round) % builds.length);
    const r = spawnSync('hyperfine', ['-N', '--warmup', '3', '--runs', String(RUNS), '--export-json', json, ...order.map((i) => commands[i])], { stdio: ['ignore', 'inherit', 'inherit'] });
    if (r.status !== 0) throw new Error(`hyperfine exited ${r.status}`);
    JSON.parse(readFileSync(json, 'utf8')).results.forEach((res, k) => {
      pooled[order[k]].times.push(...res.times.map((t) => t * 1000));
      pooled[order[k]].cpu.push((res.user + res.system) * 1000);
    });
  }
  const after = loadavg();
  console.log(`\n\`tsupervisorctl status\` (6 processes), ${ROUNDS} rounds of ${RUNS} runs each; load average (1 min) ${before[0].toFixed(1)} before, ${after[0].toFixed(1)} after, ${cpus().length} cores`);
  console.log('| main bundle | bytes | compile (CPU) | median wall | p90 wall | mean user+system CPU (per round) |\n|---|---|---|---|---|---|');
  builds.forEach((b, i) => {
    const s = summary(pooled[i].times);
    console.log(`| ${b.name} | ${statSync(b.file).size} | ${fmt(compileCpu(b.file))} ms | ${fmt(s.median)} ms | ${fmt(s.p90)} ms | ${pooled[i].cpu.map(fmt).join(' / ')} ms |`);
  });
} finally {
  await d.stop();
}

// Shared by the benchmarks: which implementations to run, a daemon per implementation (the
// test harness's runner, compiled by `pnpm run build`), and small statistics.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const harnessUrl = new URL('../../test/dist/harness.js', import.meta.url);
if (!existsSync(fileURLToPath(harnessUrl))) {
  console.error('test/dist/harness.js is missing: run `pnpm run build` first');
  process.exit(2);
}
export const h = await import(harnessUrl.href);

const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;

/**
 * The implementations to compare, in order: tsupervisor (this repo) and, when installed,
 * Debian's supervisor 4.2.5. BENCH_ONLY=tsupervisor|supervisor runs one of them.
 */
export function implementations() {
  const all = [{ name: 'tsupervisor', daemonCmd: h.resolveCommands({ daemonCmd: undefined }).daemonCmd }];
  if (has('supervisord')) all.push({ name: 'supervisor', daemonCmd: 'supervisord' });
  else console.log('(supervisord is not installed: tsupervisor only)');
  const only = process.env.BENCH_ONLY;
  return only ? all.filter((i) => i.name === only) : all;
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function summary(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { n: s.length, median: median(s), min: s[0], p90: q(0.9), max: s[s.length - 1] };
}

export const fmt = (ms) => (ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2));

/** Prints each implementation's median and tsupervisor's ratio to supervisor. */
export function printComparison(title, results, unit, goal) {
  console.log(`\n${title}`);
  for (const r of results) {
    const s = r.summary;
    console.log(
      `  ${r.name.padEnd(12)} median ${fmt(s.median)} ${unit}  (n=${s.n}, min ${fmt(s.min)}, p90 ${fmt(s.p90)}, max ${fmt(s.max)})`,
    );
  }
  const ours = results.find((r) => r.name === 'tsupervisor');
  const theirs = results.find((r) => r.name === 'supervisor');
  if (ours && theirs) console.log(`  ratio tsupervisor/supervisor: ${(ours.summary.median / theirs.summary.median).toFixed(3)}`);
  if (goal) console.log(`  goal: ${goal}`);
}

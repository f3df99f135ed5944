#!/usr/bin/env node
// Log capture throughput: a child writes SIZE bytes to stdout as fast as it can (log-producer.c:
// 64-byte lines that carry their own offset, written 8 KiB at a time like `head -c`), and we
// measure the wall time until the log holds every byte, the CPU seconds of the capturing process,
// its peak RSS, and the bytes lost (missing or doubled, checked line by line). The producer
// into `cat > file` is the limit; for the rotated cases also the producer into rotate-cat.c (cat
// that rotates as supervisor does: what rotation costs by itself), their `x limit`.
//
//   pnpm run build && node scripts/bench/logs-throughput.mjs [--daemon] [--size 1G] [--runs 3]
//        [--dir /tmp] [--extra] [--pending 1M] [--producer log-producer,zeros,seq | all] [--cold]
//        [--read-too]
//
// Producers (log-producers.mjs): log-producer (default), and the shell pipelines users run:
// zeros (`head -c SIZE /dev/zero | tr '\0' x`, no newline) and seq (`seq 1 999999999 | head -c
// SIZE`), each also into `cat > file` (the limit). --cold skips the memory warm-up before each
// run (a host that does not warm memory for its programs: see warmMemory).
//
// Modes:
//   (default)  the library in this process: captureOutput → RotatingFile (packages/daemon/dist),
//              from node's child.stdout and from a real pipe through PipeSource (the daemon's way)
//   --daemon   the real tsupervisord and, when installed, Debian's supervisord, side by side:
//              the same program under each with stdout_logfile_maxbytes=0 and with 50MB × 10
//              backups, started by RPC; wall = from startProcess until the last line was
//              written (the log's mtime); CPU = utime+stime of the daemon process
//              (/proc/<pid>/stat) over the run.
//   --read-too with --daemon: a second tsupervisord with TSV_LOG_SPLICE=0 ("tsupervisor-read"),
//              which reads every byte into the daemon and writes it, as before splice(2) was used
//              (a log nothing else needs is otherwise spliced pipe → file: docs/logs.md).
// Runs are interleaved (A B C, B C A, C A B …) and the table shows medians; every log is removed
// and `sync` runs before each run, so no run pays for another's dirty pages. Lost bytes: for rotation only the
// retained files (backups+1) can be checked; the rest was rotated away.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { logFiles } from './log-verify.mjs';
import { makeProducers, PRODUCER_NAMES } from './log-producers.mjs';

const { values: args } = parseArgs({
  options: {
    size: { type: 'string', default: '1G' },
    dir: { type: 'string', default: tmpdir() },
    runs: { type: 'string', default: '3' },
    extra: { type: 'boolean', default: false },
    daemon: { type: 'boolean', default: false },
    // read-ahead while a write is pending (captureOutput maxPendingBytes); 0 = strict lockstep
    pending: { type: 'string' },
    producer: { type: 'string', default: 'log-producer' },
    cold: { type: 'boolean', default: false },
    'read-too': { type: 'boolean', default: false },
  },
});

function parseSize(s) {
  const m = /^(\d+)([KMG]?)$/i.exec(s);
  if (!m) throw new Error(`bad size ${s}`);
  return Number(m[1]) * 1024 ** ' KMG'.indexOf((m[2] || ' ').toUpperCase());
}

const SIZE = parseSize(args.size);
if (SIZE % 64) throw new Error('--size must be a multiple of 64 bytes');
const RUNS = Number(args.runs);
const MB = 1024 * 1024;
const work = mkdtempSync(join(args.dir, 'tsv-bench-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));

const here = dirname(fileURLToPath(import.meta.url));
const PRODUCER = join(work, 'log-producer');
const cc = spawnSync(process.env.CC || 'cc', ['-O2', '-o', PRODUCER, join(here, 'log-producer.c')], { stdio: 'inherit' });
if (cc.status !== 0) throw new Error('cannot compile log-producer.c (needs cc)');
const producerNames = args.producer === 'all' ? PRODUCER_NAMES : args.producer.split(',');
for (const n of producerNames) if (!PRODUCER_NAMES.includes(n)) throw new Error(`unknown producer ${n} (${PRODUCER_NAMES.join(', ')})`);
const PRODUCERS = makeProducers(work, SIZE, PRODUCER, producerNames);
const ROTATE_CAT = join(work, 'rotate-cat');
if (spawnSync(process.env.CC || 'cc', ['-O2', '-o', ROTATE_CAT, join(here, 'rotate-cat.c')], { stdio: 'inherit' }).status !== 0) throw new Error('cannot compile rotate-cat.c (needs cc)');

const waitExit = (child) => new Promise((resolve) => child.once('close', (code) => resolve(code)));
const dropCaches = () => spawnSync('sync');
/**
 * Touches and frees 1.5 × SIZE of memory just before a run. On a VM with free page reporting
 * (virtio-balloon), memory freed more than ~2 s ago has been handed back to the host and costs a
 * host fault at first touch: filling a new GiB of page cache then took the writer 1 CPU-s more,
 * depending on what ran before. Warm memory for every run makes the cases comparable.
 */
const warmMemory = () => spawnSync(process.execPath, ['-e', `Buffer.alloc(${Math.round(1.5 * SIZE)}, 1)`]);

/**
 * The limit: the producer into `cat > file` or, with `rotate`, into rotate-cat (ROTATE's
 * maxbytes and backups); CPU of cat from the subshell's `times`.
 */
async function runCat(producer, path, rotate = null) {
  const start = Date.now();
  const cat = rotate ? `'${ROTATE_CAT}' '${path}' ${rotate.maxbytes} ${rotate.backups}` : `cat > '${path}'`;
  const child = spawn('sh', ['-c', `${producer.shell} | (${cat}; times)`], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  await waitExit(child);
  const wall = (statSync(path).mtimeMs - start) / 1000; // the last write, as for the daemons
  // dash `times`: line 2 is the children's (cat's) user and system time, e.g. `0m0.120000s 0m0.450000s`
  const secs = [...(out.trim().split('\n')[1] ?? '').matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
  return { wall, cpu: secs.length === 2 ? secs[0] + secs[1] : NaN, rss: NaN, files: rotate ? logFiles(path) : [path] };
}

/**
 * The library: captureOutput into a RotatingFile, from the child's stdout as node's
 * child_process gives it (a socketpair, `child.stdout`) or, with `pipe`, as the daemon reads it
 * (a real pipe through PipeSource).
 */
async function runLib(producer, path, fileOpts, captureOpts = {}, pipe = false) {
  const dist = '../../packages/daemon/dist/src';
  const { captureOutput, RotatingFile, PipeSource } = await import(new URL(`${dist}/logs/index.js`, import.meta.url).href);
  const { makePipe, closeFd } = await import(new URL(`${dist}/native/index.js`, import.meta.url).href);
  const errors = [];
  const cpu0 = process.cpuUsage();
  const start = process.hrtime.bigint();
  const file = new RotatingFile(path, { ...fileOpts, onError: (e) => errors.push(e.code) });
  const fds = pipe ? makePipe() : null;
  const child = spawn(producer.argv[0], producer.argv.slice(1), { stdio: ['ignore', fds ? fds.write : 'pipe', 'inherit'] });
  if (fds) closeFd(fds.write);
  const source = fds ? new PipeSource(fds.read) : child.stdout;
  if (args.pending !== undefined) captureOpts = { ...captureOpts, maxPendingBytes: parseSize(args.pending) };
  await Promise.all([captureOutput(source, file, captureOpts), waitExit(child)]);
  await file.close();
  const wall = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  if (errors.length) console.error(`errors: ${errors.join(', ')}`);
  return { wall, cpu: (cpu.user + cpu.system) / 1e6, rss: process.resourceUsage().maxRSS / 1024, files: logFiles(path) };
}

// supervisor's byte_size: 50MB is 50 * 1024 * 1024.
const ROTATE = { maxbytes: 50 * MB, backups: 10 };

/** [{ name, group, rotate, run(), limit? }] */
async function buildCases() {
  const cases = [];
  const stops = [];
  const resets = [];
  for (const p of PRODUCERS) {
    cases.push({ name: `${p.name} | cat > file (limit)`, group: 'limit', producer: p, rotate: false, run: () => runCat(p, join(work, `cat-${p.name}.log`)) });
    cases.push({ name: `${p.name} | rotate-cat 50MB x 10 (limit)`, group: 'limit', producer: p, rotate: true, run: () => runCat(p, join(work, `rcat-${p.name}.log`), ROTATE) });
  }
  if (!args.daemon) {
    for (const p of PRODUCERS) {
      const lib = (name, file, fileOpts, captureOpts, pipe) =>
        cases.push({ name: `${p.name} lib ${name}`, group: 'lib', producer: p, rotate: fileOpts.maxbytes > 0, run: () => runLib(p, join(work, `${file}-${p.name}.log`), fileOpts, captureOpts, pipe) });
      lib('child.stdout maxbytes=0', 'lib0', { maxbytes: 0 });
      lib('child.stdout 50MB x 10', 'lib50', ROTATE);
      lib('PipeSource maxbytes=0', 'pipe0', { maxbytes: 0 }, {}, true);
      lib('PipeSource 50MB x 10', 'pipe50', ROTATE, {}, true);
      if (args.extra) {
        lib('PipeSource strip_ansi', 'ansi', { maxbytes: 0 }, { stripAnsi: true }, true);
        lib('PipeSource timestamps', 'ts', { maxbytes: 0 }, { timestamps: true }, true);
      }
    }
    return { cases, stops, resets };
  }
  const { implementations } = await import('./lib.mjs');
  const { startBenchDaemon } = await import('./logs-daemon.mjs');
  const programs = PRODUCERS.flatMap((p) => [
    { program: `${p.name}0`.replace(/-/g, '_'), producer: p, maxbytes: 0, backups: 0, label: `${p.name} maxbytes=0` },
    { program: `${p.name}50`.replace(/-/g, '_'), producer: p, maxbytes: ROTATE.maxbytes, backups: ROTATE.backups, label: `${p.name} 50MB x 10` },
  ]);
  const impls = implementations();
  const ours = impls.find((i) => i.name === 'tsupervisor');
  if (args['read-too'] && ours) impls.splice(1, 0, { ...ours, name: 'tsupervisor-read', env: { TSV_LOG_SPLICE: '0' } });
  for (const impl of impls) {
    const logDir = mkdtempSync(join(work, `${impl.name}-`));
    const d = await startBenchDaemon(impl, programs, logDir);
    stops.push(d.stop);
    resets.push(d.reset);
    for (const p of programs) {
      cases.push({ name: `${impl.name} ${p.label}`, group: impl.name, producer: p.producer, rotate: p.maxbytes > 0, label: p.label, run: () => d.run(p.program) });
    }
  }
  return { cases, stops, resets };
}

const median = (xs) => {
  const s = xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const { cases, stops, resets } = await buildCases();
const results = new Map(cases.map((c) => [c, []]));
try {
  for (let i = 0; i < RUNS; i++) {
    // Each round starts one case later, so that no case always follows the same one (a run is
    // slower right after another freed a gigabyte of page cache, on some machines).
    for (const c of cases.map((_, k) => cases[(k + i) % cases.length])) {
      // Nothing of an earlier run may stay on disk or in the page cache (see reset()).
      for (const reset of resets) await reset();
      for (const f of readdirSync(work)) if (f.endsWith('.log') || /\.log\.\d+$/.test(f)) rmSync(join(work, f), { force: true });
      dropCaches();
      if (!args.cold) warmMemory();
      const r = await c.run();
      Object.assign(r, c.producer.lost(r.files, c.rotate));
      results.get(c).push(r);
      process.stderr.write(`run ${i + 1}/${RUNS} ${c.name}: ${r.wall.toFixed(2)} s, ${r.cpu.toFixed(2)} CPU-s, lost ${r.lost}\n`);
    }
  }
} finally {
  for (const stop of stops) await stop();
}

const row = (c) => {
  const rs = results.get(c);
  const cpus = rs.map((r) => r.cpu).filter((x) => !Number.isNaN(x));
  return { wall: median(rs.map((r) => r.wall)), cpu: median(rs.map((r) => r.cpu)), cpuRange: cpus.length ? `${Math.min(...cpus).toFixed(2)}-${Math.max(...cpus).toFixed(2)}` : '-', rss: Math.max(...rs.map((r) => r.rss)), lost: Math.max(...rs.map((r) => r.lost)), onDisk: median(rs.map((r) => r.onDisk)) };
};
const catWall = (c) => row(cases.find((o) => o.group === 'limit' && o.producer === c.producer)).wall;
/** The limit with the same rotation: cat for maxbytes=0, rotate-cat for 50MB x 10. */
const limitWall = (c) => row(cases.find((o) => o.group === 'limit' && o.producer === c.producer && o.rotate === c.rotate)).wall;
const theirs = (c) => cases.find((o) => o.group === 'supervisor' && o.label === c.label);
const fmt = (x, d = 2) => (Number.isNaN(x) || !Number.isFinite(x) ? '-' : x.toFixed(d));
const lines = cases.map((c) => {
  const r = row(c);
  const sup = c.group.startsWith('tsupervisor') && theirs(c) ? row(theirs(c)) : null;
  return [c.name, fmt(r.wall), fmt(r.wall / catWall(c)), fmt(r.wall / limitWall(c)), fmt(SIZE / MB / r.wall, 0), fmt(r.cpu), r.cpuRange, sup ? fmt(r.cpu / sup.cpu) : '-', sup ? fmt(r.wall / sup.wall) : '-', fmt(r.rss, 0), String(r.lost), fmt(r.onDisk / MB, 1)];
});
const header = ['case', 'wall s', 'x cat', 'x limit', 'MiB/s', 'CPU s', 'CPU min-max', 'CPU x sup', 'wall x sup', 'peak RSS MiB', 'bytes lost', 'on disk MiB'];
const widths = header.map((hd, i) => Math.max(hd.length, ...lines.map((l) => l[i].length)));
const fmtLine = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
console.log(
  `${(SIZE / MB).toFixed(0)} MiB from ${producerNames.join(', ')}, ${args.daemon ? 'daemons' : 'library'}, median of ${RUNS}, memory ${args.cold ? 'cold (no warm-up)' : 'warmed before each run'}, logs in ${args.dir}, node ${process.version}`,
);
console.log(fmtLine(header));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const l of lines) console.log(fmtLine(l));
if (args.daemon) console.log('goals (issue 18): tsupervisor wall <= 1.05 x limit, CPU <= 0.7 x supervisord (cold), 0 bytes lost');

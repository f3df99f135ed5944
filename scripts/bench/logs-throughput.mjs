#!/usr/bin/env node
// Log capture throughput: a child writes SIZE bytes to stdout as fast as it can
// (`yes LINE | head -c SIZE`); we capture it into a log file and measure wall time, the CPU
// seconds of the capturing process, peak RSS and bytes lost. The same pipeline into
// `cat > file` is the limit.
//
//   pnpm run build && node scripts/bench/logs-throughput.mjs [--size 1G] [--extra] [--dir /tmp]
//
// Modes:
//   (default)  the library in this process: captureOutput → RotatingFile (packages/daemon/dist)
//   --daemon   TODO: the real tsupervisord and Debian's supervisord side by side, once the daemon
//              runs programs. Plan: write a conf with one program `command=sh -c "yes … | head -c N"`
//              (stdout_logfile=path, maxbytes as in the cases below, autorestart=false,
//              startsecs=0), start the daemon with nodaemon=true, read utime+stime of the daemon
//              pid from /proc/<pid>/stat before and after, wait until `status` says EXITED, then
//              compare log sizes. Add it as another `cases` entry with the same result shape.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { captureOutput, RotatingFile } = await import(
  new URL('../../packages/daemon/dist/src/logs/index.js', import.meta.url).href
);

const { values: args } = parseArgs({
  options: {
    size: { type: 'string', default: '1G' },
    dir: { type: 'string', default: tmpdir() },
    extra: { type: 'boolean', default: false },
    daemon: { type: 'boolean', default: false },
    // read-ahead while a write is pending (captureOutput maxPendingBytes); 0 = strict lockstep
    pending: { type: 'string' },
  },
});

function parseSize(s) {
  const m = /^(\d+)([KMG]?)$/i.exec(s);
  if (!m) throw new Error(`bad --size ${s}`);
  return Number(m[1]) * 1024 ** ' KMG'.indexOf((m[2] || ' ').toUpperCase());
}

const SIZE = parseSize(args.size);
const LINE = '2026-11-26 16:20:06,123 INFO GET /api/v1/items?page=3 200 1532 bytes in 4.2 ms';
const PRODUCER = `yes '${LINE}' | head -c ${SIZE}`;

if (args.daemon) {
  console.error('--daemon is not implemented yet: the daemon does not run programs yet (see the header).');
  process.exit(2);
}

/** Sum of the sizes of `path` and its numbered backups. */
function sizeOnDisk(path) {
  const dir = path.slice(0, path.lastIndexOf('/'));
  const base = path.slice(path.lastIndexOf('/') + 1);
  return readdirSync(dir)
    .filter((n) => n === base || new RegExp(`^${base}\\.\\d+$`).test(n))
    .reduce((sum, n) => sum + statSync(join(dir, n)).size, 0);
}

function waitExit(child) {
  return new Promise((resolve) => child.once('close', (code) => resolve(code)));
}

/** The limit: the same pipeline into `cat > file`; CPU of cat from the shell's `times`. */
async function runCat(path) {
  const start = process.hrtime.bigint();
  const child = spawn('sh', ['-c', `${PRODUCER} | (cat > '${path}'; times)`], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  await waitExit(child);
  const wall = Number(process.hrtime.bigint() - start) / 1e9;
  // dash `times`: line 2 is the children's (cat's) user and system time, e.g. `0m0.120000s 0m0.450000s`
  const secs = [...(out.trim().split('\n')[1] ?? '').matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
  const onDisk = statSync(path).size;
  return { wall, cpu: secs.length === 2 ? secs[0] + secs[1] : NaN, rss: NaN, lost: SIZE - onDisk, onDisk };
}

/** The library: captureOutput from the child's stdout pipe into a RotatingFile. */
async function runLib(path, fileOpts, captureOpts = {}) {
  const errors = [];
  const cpu0 = process.cpuUsage();
  const start = process.hrtime.bigint();
  const file = new RotatingFile(path, { ...fileOpts, onError: (e) => errors.push(e.code) });
  const child = spawn('sh', ['-c', PRODUCER], { stdio: ['ignore', 'pipe', 'inherit'] });
  if (args.pending !== undefined) captureOpts = { ...captureOpts, maxPendingBytes: parseSize(args.pending) };
  const [result] = await Promise.all([captureOutput(child.stdout, file, captureOpts), waitExit(child)]);
  await file.close();
  const wall = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  if (errors.length) console.error(`errors: ${errors.join(', ')}`);
  return {
    wall,
    cpu: (cpu.user + cpu.system) / 1e6,
    rss: process.resourceUsage().maxRSS / 1024,
    // Never read from the child, or read but not written (dropped); rotated-away bytes are not lost.
    lost: SIZE - result.bytesRead + (result.bytesLogged - file.writtenBytes),
    onDisk: sizeOnDisk(path),
  };
}

const MB = 1024 * 1024;
const cases = [
  { name: 'cat > file (limit)', run: (p) => runCat(p) },
  { name: 'lib maxbytes=0', run: (p) => runLib(p, { maxbytes: 0 }) },
  { name: 'lib 50MB x 10 backups', run: (p) => runLib(p, { maxbytes: 50 * MB, backups: 10 }) },
];
if (args.extra) {
  cases.push({ name: 'lib maxbytes=0 strip_ansi', run: (p) => runLib(p, { maxbytes: 0 }, { stripAnsi: true }) });
  cases.push({ name: 'lib maxbytes=0 timestamps', run: (p) => runLib(p, { maxbytes: 0 }, { timestamps: true }) });
}

const rows = [];
for (const c of cases) {
  const dir = mkdtempSync(join(args.dir, 'tsv-bench-'));
  try {
    const r = await c.run(join(dir, 'out.log'));
    rows.push([
      c.name,
      r.wall.toFixed(2),
      (SIZE / MB / r.wall).toFixed(0),
      Number.isNaN(r.cpu) ? '-' : r.cpu.toFixed(2),
      Number.isNaN(r.rss) ? '-' : r.rss.toFixed(0),
      String(r.lost),
      (r.onDisk / MB).toFixed(1),
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const header = ['case', 'wall s', 'MiB/s', 'cpu s', 'peak RSS MiB', 'bytes lost', 'on disk MiB'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
console.log(`${(SIZE / MB).toFixed(0)} MiB from \`yes | head -c\`, node ${process.version}`);
console.log(line(header));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const r of rows) console.log(line(r));

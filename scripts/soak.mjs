#!/usr/bin/env node
// A long run of tsupervisord under everything at once (see scripts/soak.sh). Workload: 100
// sleepers, 20 programs that crash every second, 5 chatty programs with rotating logs, 6 fcgi
// workers answering TCP connections, programs leaving orphans. Meanwhile: ctl status loops,
// random stop/start/restart, config changes applied with `update`, SIGKILL of random children,
// garbage frames on the control socket, log followers that never read, fcgi connections.
// Also programs that die right after each spawn (/bin/false, startsecs=0: the crash-loop
// throttle's long run, issue 19) and that leave a grandchild holding their pipes.
// Every SOAK_SAMPLE_S seconds: RSS, open fds, CPU. At the end it fails (exit 1) if the daemon
// died, a ctl call failed, the log shows an uncaught error, or RSS / fds kept growing.
import { writeFileSync, readFileSync, readdirSync, renameSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { h } from './bench/lib.mjs';

const MINUTES = Number(process.env.SOAK_MINUTES ?? 10);
const SAMPLE_S = Number(process.env.SOAK_SAMPLE_S ?? 10);
const port = await h.freePort();

const WORKER = `import os, socket
s = socket.socket(fileno=0)
while True:
    c, _ = s.accept()
    c.sendall(b'pid %d\\n' % os.getpid())
    c.close()
`;
const base = (extra) => `
[program:sleeper]
command=sleep 100000
process_name=%(program_name)s_%(process_num)03d
numprocs=100
startsecs=0

[program:crasher]
command=sh -c 'sleep 1; exit 3'
process_name=%(program_name)s_%(process_num)02d
numprocs=20
startsecs=0
autorestart=true

[program:chatty]
command=sh -c 'while :; do echo "chatty $$ $(date +%%s%%N) 0123456789012345678901234567890123456789"; sleep 0.001; done'
process_name=%(program_name)s_%(process_num)d
numprocs=5
startsecs=0
stdout_logfile_maxbytes=1MB
stdout_logfile_backups=2

[program:orphans]
command=sh -c 'while :; do (sleep 0.5 &); sleep 0.2; done'
startsecs=0

[program:instacrash]
command=/bin/false
process_name=%(program_name)s_%(process_num)d
numprocs=5
startsecs=0
autorestart=true

[program:pipeholder]
command=sh -c 'sleep 3 & exit 1'
startsecs=0
autorestart=true

[fcgi-program:w]
command=/usr/bin/python3 @TMP@/worker.py
socket=tcp://127.0.0.1:${port}
process_name=%(program_name)s_%(process_num)d
numprocs=6
startsecs=0
${extra}`;

const rssKb = (pid) => Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
const fdCount = (pid) => readdirSync(`/proc/${pid}/fd`).length;
const rand = (n) => Math.floor(Math.random() * n);

const tmp = h.makeTmpDir('tsv-soak-');
writeFileSync(join(tmp.path, 'worker.py'), WORKER);
const d = await h.startDaemon(base(''), { dir: tmp.path, readyTimeoutMs: 60_000 });
const sock = join(d.dir, 'supervisor.sock');
const end = Date.now() + MINUTES * 60_000;
const failures = [];
const counts = { status: 0, control: 0, updates: 0, kills: 0, frames: 0, followers: 0, fcgi: 0, fcgiErrors: 0 };
const fail = (what) => {
  failures.push(what);
  console.log(`FAIL ${what}`);
};

async function ctl(args, okCodes = [0]) {
  const r = await d.ctl(args, 60_000);
  if (!okCodes.includes(r.code)) fail(`ctl ${args.join(' ')}: exit ${r.code} ${r.stdout.slice(0, 200)} ${r.stderr.slice(0, 200)}`);
  return r;
}

const loops = [
  // status readers (exit 3: some program is not RUNNING at that moment, which is normal here)
  ...Array.from({ length: 5 }, () => async () => {
    await ctl(['status'], [0, 3]);
    counts.status++;
  }),
  async () => {
    const name = `sleeper:sleeper_${String(rand(100)).padStart(3, '0')}`;
    await ctl([['stop', 'start', 'restart'][rand(3)], name], [0, 1, 7]);
    counts.control++;
    await h.sleep(200);
  },
  async () => {
    await h.sleep(10_000);
    const extra = counts.updates % 2 === 0 ? '\n[program:extra]\ncommand=sleep 100000\nstartsecs=0\n' : '';
    // written aside then renamed: a ctl reading the file meanwhile must not see half of it
    writeFileSync(`${d.conf}.new`, h.confHeader(d.dir) + '\n' + base(extra).replaceAll('@TMP@', d.dir));
    renameSync(`${d.conf}.new`, d.conf);
    await ctl(['update']);
    counts.updates++;
  },
  async () => {
    await h.sleep(2000);
    const kids = d.children();
    if (kids.length) h.killPid(kids[rand(kids.length)], 'SIGKILL');
    counts.kills++;
  },
  async () => {
    const c = await h.RawConnection.open(sock, 10_000);
    // A connection's first bytes choose its protocol (an upper-case letter: HTTP, for
    // supervisorctl): the garbage goes to a connection that is JSON-RPC already.
    const first = await c.call('supervisor.getPID', undefined, 30_000).catch((e) => ({ error: e.message }));
    if (first.result !== d.pid) fail(`garbage connection, before the garbage: ${JSON.stringify(first).slice(0, 200)}`);
    for (let i = 0; i < 50; i++) c.write(Buffer.from(Array.from({ length: rand(200) }, () => rand(256))));
    c.write('\n');
    const m = await c.call('supervisor.getPID', undefined, 30_000).catch((e) => ({ error: e.message }));
    if (m.result !== d.pid) fail(`garbage connection: ${JSON.stringify(m).slice(0, 200)}`);
    c.destroy();
    counts.frames += 50;
    await h.sleep(500);
  },
  async () => {
    const c = await h.RawConnection.open(sock, 10_000);
    await c.call('tsupervisor.followLogs', { names: ['chatty'], channel: 'stdout' }, 30_000);
    c.socket.pause();
    await h.sleep(5000);
    c.destroy();
    counts.followers++;
  },
  async () => {
    await new Promise((resolve) => {
      const s = net.createConnection(port, '127.0.0.1');
      s.setTimeout(10_000, () => s.destroy());
      s.on('data', () => counts.fcgi++);
      s.on('error', () => counts.fcgiErrors++);
      s.on('close', resolve);
    });
    await h.sleep(100);
  },
];

const samples = [];
const sample = () => {
  const s = { t: Math.round((Date.now() - start) / 1000), rss: rssKb(d.pid), fds: fdCount(d.pid), cpu: h.cpuMs(d.pid) };
  samples.push(s);
  const prev = samples[samples.length - 2];
  const cpuPct = prev ? ((s.cpu - prev.cpu) / ((s.t - prev.t) * 1000)) * 100 : 0;
  console.log(`t=${s.t}s rss=${(s.rss / 1024).toFixed(1)}MB fds=${s.fds} cpu=${cpuPct.toFixed(0)}% ${JSON.stringify(counts)}`);
};

const start = Date.now();
console.log(`soak: ${MINUTES} min, daemon pid ${d.pid}, dir ${d.dir}`);
const sampler = setInterval(sample, SAMPLE_S * 1000);
sample();
try {
  await Promise.all(
    loops.map(async (body) => {
      while (Date.now() < end && h.isAlive(d.pid)) {
        try {
          await body();
        } catch (e) {
          fail(`loop: ${e.message.split('\n')[0]}`);
          await h.sleep(1000);
        }
      }
    }),
  );
} finally {
  clearInterval(sampler);
}
sample();

if (!h.isAlive(d.pid)) fail('the daemon died');
const log = d.logs();
if (/CRIT .*(uncaught|unhandled)/.test(log)) fail('uncaught error in the daemon log');
// Growth: the last quarter of the run against the second quarter (the first is warm-up).
const q = Math.floor(samples.length / 4);
if (q >= 1) {
  const avg = (xs, k) => xs.reduce((a, s) => a + s[k], 0) / xs.length;
  const mid = samples.slice(q, 2 * q);
  const last = samples.slice(3 * q);
  const rssGrowth = avg(last, 'rss') / avg(mid, 'rss');
  const fdGrowth = avg(last, 'fds') - avg(mid, 'fds');
  console.log(`RSS last quarter / second quarter: ${rssGrowth.toFixed(2)}; fds: ${fdGrowth >= 0 ? '+' : ''}${fdGrowth.toFixed(0)}`);
  if (rssGrowth > 1.5) fail(`RSS kept growing (${rssGrowth.toFixed(2)}x)`);
  if (fdGrowth > 50) fail(`fds kept growing (+${fdGrowth.toFixed(0)})`);
}
if (counts.fcgi === 0) fail('no fcgi connection was answered');
await d.stop();
tmp.remove();
console.log(failures.length ? `soak FAILED: ${failures.length} failures` : 'soak passed');
process.exit(failures.length ? 1 : 0);

#!/usr/bin/env node
// `status` across a fleet (issue 12): BENCH_NODES (20) daemons on loopback, each on its own
// unix socket with 5 programs (`sleep`), all RUNNING.
//   - tsupervisor: one `tsupervisorctl --targets FILE status` call across the 20 tsupervisord
//     (the targets file names each node and its unix:// URL);
//   - supervisor: 20 sequential `supervisorctl -s unix://… status` calls, one per supervisord
//     4.2.5 with the same programs (what a user of many hosts runs in a loop);
//   - beside them: 20 sequential `tsupervisorctl -s … status` calls (the cost of one ctl start-up
//     per node), and one `tsupervisorctl --targets` call across the 20 supervisord (XML-RPC).
// Each figure is the wall time of the whole thing, BENCH_RUNS (10) times, alternating; median.
//
//   node scripts/bench/fleet-status.mjs      (BENCH_NODES, BENCH_RUNS)
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { h, implementations, median, fmt } from './lib.mjs';

const NODES = Number(process.env.BENCH_NODES ?? 20);
const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const PROGRAMS = 5;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

/** NODES daemons of one implementation (pushed to `nodes` as they start); resolves once every program of every one is RUNNING. */
async function startFleet(impl, nodes) {
  for (let i = 0; i < NODES; i++) {
    const tmp = h.makeTmpDir('tsv-bench-fleet-');
    const dir = tmp.path;
    const conf = join(dir, 'supervisord.conf');
    writeFileSync(
      conf,
      `${h.confHeader(dir, `identifier=node${i}\n`)}\n[program:p]\ncommand=sleep 100000\nprocess_name=%(program_name)s_%(process_num)d\nnumprocs=${PROGRAMS}\nstartsecs=0\n`,
    );
    const child = spawn(impl.daemonCmd, ['-c', conf], { cwd: dir, stdio: 'ignore', detached: true });
    h.startedPids.add(child.pid);
    nodes.push({ tmp, dir, conf, child, url: `unix://${dir}/supervisor.sock`, exited: new Promise((r) => child.once('exit', r)) });
  }
  for (const n of nodes) {
    await h.waitFor(`${impl.name} ${n.dir}: ${PROGRAMS} RUNNING`, () => {
      try {
        return readFileSync(join(n.dir, 'supervisord.log'), 'utf8').split('entered RUNNING state').length - 1 >= PROGRAMS;
      } catch {
        return false;
      }
    }, 120_000, 100);
  }
  return nodes;
}

async function stopFleet(nodes) {
  for (const n of nodes) {
    try {
      process.kill(n.child.pid, 'SIGTERM');
    } catch {
      /* gone */
    }
  }
  for (const n of nodes) {
    await Promise.race([n.exited, sleep(30_000)]);
    try {
      process.kill(n.child.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
    h.startedPids.delete(n.child.pid);
    n.tmp.remove();
  }
}

/** Wall time of `calls` (each [cmd, args]) run one after the other; each must show the programs. */
function timed(calls) {
  const t0 = performance.now();
  let lines = 0;
  for (const [cmd, args] of calls) {
    const r = spawnSync(cmd, args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: exit ${r.status}\n${r.stdout}${r.stderr}`);
    lines += r.stdout.split('\n').filter((l) => /\sRUNNING\s/.test(l)).length;
  }
  const ms = performance.now() - t0;
  if (lines !== NODES * PROGRAMS) throw new Error(`${lines} RUNNING lines, expected ${NODES * PROGRAMS}`);
  return ms;
}

const impls = implementations();
const ours = impls.find((i) => i.name === 'tsupervisor');
const theirs = impls.find((i) => i.name === 'supervisor');
const ctl = h.resolveCommands({ daemonCmd: ours.daemonCmd }).ctlCmd;
const fleets = {};
try {
  for (const impl of impls) await startFleet(impl, (fleets[impl.name] = []));
  const work = h.makeTmpDir('tsv-bench-fleet-targets-');
  const targetsOf = (nodes, name) => {
    const file = join(work.path, `${name}.targets`);
    writeFileSync(file, nodes.map((n, i) => `node${i} ${n.url}\n`).join(''));
    return file;
  };
  const cases = [
    [`tsupervisorctl --targets (${NODES} tsupervisord), one call`, () => [[ctl, ['--targets', targetsOf(fleets.tsupervisor, 'tsv'), 'status']]]],
    [`tsupervisorctl -s … status, ${NODES} sequential calls`, () => fleets.tsupervisor.map((n) => [ctl, ['-s', n.url, 'status']])],
  ];
  if (theirs) {
    cases.push([`supervisorctl -s … status, ${NODES} sequential calls (supervisord 4.2.5)`, () => fleets.supervisor.map((n) => ['supervisorctl', ['-s', n.url, 'status']])]);
    cases.push([`tsupervisorctl --targets (${NODES} supervisord 4.2.5), one call`, () => [[ctl, ['--targets', targetsOf(fleets.supervisor, 'sup'), 'status']]]]);
  }
  const times = cases.map(() => []);
  const load0 = loadavg();
  const calls = cases.map(([, make]) => make());
  for (const c of calls) timed(c); // warm the page cache once
  for (let r = 0; r < RUNS; r++) cases.forEach((_, i) => times[i].push(timed(calls[i])));
  console.log(`\nstatus across ${NODES} daemons (${PROGRAMS} programs each, unix sockets), ${RUNS} runs (load average ${load0} → ${loadavg()})`);
  cases.forEach(([label], i) => {
    const xs = times[i];
    console.log(`  ${label.padEnd(68)} median ${fmt(median(xs))} ms  (min ${fmt(Math.min(...xs))}, max ${fmt(Math.max(...xs))})`);
  });
  if (theirs) console.log(`  ratio one tsupervisorctl call / ${NODES} supervisorctl calls: ${(median(times[0]) / median(times[2])).toFixed(3)}  (goal, issue 12: ≤ 0.2)`);
  work.remove();
} finally {
  for (const nodes of Object.values(fleets)) await stopFleet(nodes);
}
process.exit(0);

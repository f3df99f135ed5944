#!/usr/bin/env node
// Connects to 127.0.0.1:PORT every millisecond for DURATION_MS and prints one JSON line:
// attempts, how many were refused, and the longest window in which the port refused
// connections (from the first refused attempt to the next accepted one). A separate process,
// so the benchmark's own work does not delay the probes.
//
//   node scripts/bench/connect-prober.mjs PORT DURATION_MS
import net from 'node:net';

const port = Number(process.argv[2]);
const durationMs = Number(process.argv[3] ?? 10_000);
if (!Number.isInteger(port) || port <= 0 || !(durationMs > 0) || durationMs > 600_000) {
  console.error('usage: connect-prober.mjs PORT DURATION_MS (at most 600000)');
  process.exit(2);
}

/** [start time ms, outcome]: 'ok' | 'refused' | other error code | 'timeout'. */
const probes = [];
let pending = 0;
const t0 = performance.now();

function probe() {
  const t = performance.now() - t0;
  const record = (outcome) => {
    probes.push([t, outcome]);
    pending--;
  };
  pending++;
  const s = net.connect({ port, host: '127.0.0.1' });
  s.setTimeout(2000, () => {
    s.destroy();
    record('timeout');
  });
  s.once('connect', () => {
    s.destroy();
    record('ok');
  });
  s.once('error', (e) => record(e.code === 'ECONNREFUSED' ? 'refused' : (e.code ?? 'error')));
}

// Timers fire every 1-2 ms under load: each tick launches the probes that are due, so there
// is one attempt per elapsed millisecond (at most 64 in flight).
let launched = 0;
const timer = setInterval(() => {
  const elapsed = performance.now() - t0;
  if (elapsed >= durationMs) {
    clearInterval(timer);
    finish();
    return;
  }
  while (launched < Math.floor(elapsed) && pending < 64) {
    launched++;
    probe();
  }
}, 1);

function finish() {
  const deadline = performance.now() + 3000;
  const wait = () => {
    if (pending > 0 && performance.now() < deadline) return setTimeout(wait, 5);
    probes.sort((a, b) => a[0] - b[0]);
    let longest = 0;
    let since = null;
    for (const [t, outcome] of probes) {
      if (outcome === 'refused') since ??= t;
      else if (outcome === 'ok' && since !== null) {
        longest = Math.max(longest, t - since);
        since = null;
      }
    }
    if (since !== null) longest = Math.max(longest, durationMs - since);
    const count = (o) => probes.filter((p) => p[1] === o).length;
    const other = probes.length - count('ok') - count('refused');
    console.log(JSON.stringify({ attempts: probes.length, ok: count('ok'), refused: count('refused'), other, longestRefusedMs: longest }));
    process.exit(0);
  };
  wait();
}

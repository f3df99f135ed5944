/**
 * A bounded, seeded fuzz of the control socket: for a few seconds, several connections send
 * random frames (random bytes, random JSON, requests to real methods with random params, and
 * mutations of valid requests). Afterwards every connection still answers, the daemon is alive
 * with its programs as they were, logged no uncaught error, and its RSS stayed bounded.
 *
 * FUZZ_SEED=<n> replays a run; FUZZ_MS=<ms> makes it longer (default 3000).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { METHOD_NAMES } from '@tsupervisor/protocol';
import * as h from './harness.js';

/** mulberry32: small, fast, good enough to drive a fuzzer reproducibly. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// shutdown, restart and reexec would end the run (or its connections) legitimately.
const METHODS = METHOD_NAMES.filter((m) => m !== 'supervisor.shutdown' && m !== 'supervisor.restart' && m !== 'tsupervisor.reexec');
const NAMES = ['a', 'cat', 'g:*', 'g:', 'g:x', 'nosuch', '', ':', '*', 'a:a', '__proto__', 'constructor', '%s', '../a'];
const KEYS = ['name', 'wait', 'signal', 'offset', 'length', 'chars', 'names', 'channel', 'main', 'types', 'type', 'data', '_auth', '__proto__'];

class Fuzzer {
  constructor(private readonly rand: () => number) {}
  int(n: number): number {
    return Math.floor(this.rand() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  string(): string {
    const alphabets = ['abcdefghijklmnopqrstuvwxyz', '0123456789', '{}[]":,\\\n\t ', '\u0000\u0001\u001f\u007f\u00e9\u2028\ud800\udfff\uffff😀'];
    let s = '';
    for (let i = this.int(24); i > 0; i--) s += this.pick([...this.pick(alphabets)]);
    return s;
  }
  value(depth = 0): unknown {
    switch (this.int(depth > 3 ? 6 : 9)) {
      case 0: return null;
      case 1: return this.rand() < 0.5;
      case 2: return this.pick([0, -1, 1, 1.5, 2 ** 53, -(2 ** 31), 1e308, -0, 15, 9]);
      case 3: return this.string();
      case 4: return this.pick(NAMES);
      case 5: return this.pick(['KILL', 'TERM', 'HUP', 'STOP', 'CONT', 'USR1', 'BOGUS', 'stdout', 'stderr', 'PROCESS_STATE']);
      case 6: return Array.from({ length: this.int(4) }, () => this.value(depth + 1));
      default: {
        const o: Record<string, unknown> = {};
        for (let i = this.int(5); i > 0; i--) o[this.pick(KEYS)] = this.value(depth + 1);
        return o;
      }
    }
  }
  request(): string {
    const m: Record<string, unknown> = { jsonrpc: '2.0', id: this.int(1000), method: this.pick(METHODS) };
    if (this.rand() < 0.9) m['params'] = this.rand() < 0.8 ? this.value(3) ?? {} : this.value();
    if (this.rand() < 0.1) delete m['id'];
    return JSON.stringify(m);
  }
  mutate(frame: string): string {
    const chars = [...frame];
    for (let i = 1 + this.int(4); i > 0; i--) {
      const at = this.int(chars.length + 1);
      switch (this.int(3)) {
        case 0: chars.splice(at, 1); break;
        case 1: chars.splice(at, 0, this.pick([...'{}[]",:\\0e-.\n'])); break;
        default: chars[at] = this.pick([...'"{}x1 ']);
      }
    }
    return chars.join('');
  }
  frame(): Buffer {
    switch (this.int(5)) {
      case 0: return Buffer.from(Array.from({ length: this.int(300) }, () => this.int(256)));
      case 1: return Buffer.from(JSON.stringify(this.value()) + '\n');
      case 2: return Buffer.from(this.mutate(this.request()) + '\n');
      default: return Buffer.from(this.request() + '\n');
    }
  }
}

const CONF = `
[program:a]
command=sleep 1000
startsecs=0
autorestart=true
stopwaitsecs=2

[program:cat]
command=cat
startsecs=0
stopwaitsecs=2

[group:g]
programs=cat
`;

test('seeded fuzz of the control socket: the daemon keeps serving every connection; RSS bounded', { timeout: 120_000 }, async (t) => {
  const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 100_000);
  const durationMs = Number(process.env.FUZZ_MS ?? 3000);
  t.diagnostic(`FUZZ_SEED=${seed} FUZZ_MS=${durationMs}`);
  const d = await h.startDaemon(CONF);
  const connections: h.RawConnection[] = [];
  let rss: ReturnType<typeof h.sampler> | undefined;
  try {
    const sock = join(d.dir, 'supervisor.sock');
    await d.waitState('a', 'RUNNING');
    const rss0 = h.rssKb(d.pid);
    rss = h.sampler(() => h.rssKb(d.pid), 100);
    const end = Date.now() + durationMs;
    let frames = 0;
    let bytes = 0;
    const workers = Array.from({ length: 4 }, async (_, w) => {
      const fuzz = new Fuzzer(prng(seed * 31 + w));
      const c = await h.RawConnection.open(sock);
      connections.push(c);
      // The first bytes of a connection choose its protocol (an upper-case letter: HTTP, for
      // supervisorctl); a JSON-RPC connection is what is fuzzed, so it starts with a request.
      assert.equal((await c.call('supervisor.getPID')).result, d.pid);
      while (Date.now() < end) {
        for (let i = 0; i < 20; i++) {
          const f = fuzz.frame();
          frames++;
          bytes += f.length;
          c.write(f);
        }
        // End whatever half frame the random bytes left, then check the connection still answers.
        c.write('\n');
        const m = await c.call('supervisor.getPID', undefined, 10_000).catch((e: Error) => {
          throw new Error(`worker ${w}: ${e.message} (FUZZ_SEED=${seed})`);
        });
        assert.equal(m.result, d.pid);
      }
      c.destroy();
    });
    await Promise.all(workers);
    const peak = rss.max() - rss0;
    t.diagnostic(`${frames} frames, ${bytes} bytes; RSS peak +${peak} kB`);
    assert.ok(h.isAlive(d.pid), `the daemon died (FUZZ_SEED=${seed})`);
    assert.ok(peak < 96 * 1024, `RSS grew by ${peak} kB (FUZZ_SEED=${seed})`);
    // The daemon's stdout echoes its log (nodaemon) and survives clearLog, which the fuzz calls.
    assert.doesNotMatch(d.logs(), /CRIT .*(uncaught|unhandled)/, `uncaught error (FUZZ_SEED=${seed})`);
    // The programs are still under control: whatever the fuzz did to them (SIGSTOP included;
    // stopwaitsecs then escalates to SIGKILL), they settle and start again.
    await h.waitFor('the programs to settle', async () => {
      const rows = await d.status();
      return rows.length === 2 && rows.every((r) => !['STOPPING', 'STARTING'].includes(r.state));
    }, 15_000);
    await d.ctl(['signal', 'CONT', 'all']);
    await d.ctl(['start', 'all']);
    await d.waitState('a', 'RUNNING');
    await d.waitState('g:cat', 'RUNNING');
  } catch (e) {
    (e as Error).message += `\n${d.logs().slice(-4000)}`;
    throw e;
  } finally {
    rss?.stop();
    for (const c of connections) c.destroy();
    await d.stop();
  }
});

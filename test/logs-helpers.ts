/**
 * Shared by the logs-daemon*.test.ts files: a daemon per test, a long-running ctl (`tail -f`,
 * `maintail -f`), numbered-line programs and checks that a log holds a stream exactly.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as h from './harness.js';

export const isTs = h.defaultImpl === 'tsupervisor';

export const withDaemon = h.withDaemon;

/** `ctl args` and its exact stdout, stderr and exit code. */
export async function expectCtl(d: h.Daemon, args: string[], want: { stdout: string; code: number; stderr?: string }): Promise<void> {
  const r = await d.ctl(args);
  assert.equal(r.stdout, want.stdout, `stdout of \`ctl ${args.join(' ')}\``);
  assert.equal(r.stderr, want.stderr ?? '', `stderr of \`ctl ${args.join(' ')}\``);
  assert.equal(r.code, want.code, `exit code of \`ctl ${args.join(' ')}\``);
}

export interface Follower {
  /** Everything the ctl printed so far. */
  text(): string;
  /** Waits until the output matches. */
  waitFor(re: RegExp, timeoutMs?: number): Promise<void>;
  /** Ctrl-C (SIGINT), then the exit code and the whole output. */
  stop(): Promise<{ code: number | null; stdout: string; stderr: string }>;
}

/** A ctl that keeps running (`tail -f …`), stopped with SIGINT like a user's Ctrl-C. */
export function follow(d: h.Daemon, args: string[]): Follower {
  const child = spawn(d.ctlCmd, ['-c', d.conf, ...args], { cwd: d.dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c) => (stdout += c));
  child.stderr.on('data', (c) => (stderr += c));
  const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const kill = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return {
    text: () => stdout,
    waitFor: (re, timeoutMs = 10_000) =>
      h.waitFor(`ctl ${args.join(' ')} to print ${re} (so far: ${JSON.stringify(stdout.slice(-500))} ${stderr})`, () => re.test(stdout), timeoutMs, 10).then(() => undefined),
    async stop() {
      child.kill('SIGINT');
      const bound = setTimeout(() => child.kill('SIGKILL'), 5_000);
      const code = await closed;
      clearTimeout(bound);
      clearTimeout(kill);
      return { code, stdout, stderr };
    },
  };
}

/** A shell program printing `line 00000001` … `line N` (13 bytes each), optionally sleeping between. */
export function numbered(n: number, sleep?: string): string {
  if (!sleep) return `seq -f 'line %%08g' 1 ${n}`;
  return `sh -c 'i=0; while [ $i -lt ${n} ]; do i=$((i+1)); printf "line %%08d\\n" $i; sleep ${sleep}; done; exec sleep 1000'`;
}

/** The text `numbered(n)` prints. */
export function numberedText(from: number, to: number): string {
  let s = '';
  for (let i = from; i <= to; i++) s += `line ${String(i).padStart(8, '0')}\n`;
  return s;
}

/** The log and its numbered backups, oldest first (name.N … name.1, name). */
export function withBackups(path: string): string[] {
  const dir = path.slice(0, path.lastIndexOf('/'));
  const base = path.slice(path.lastIndexOf('/') + 1);
  const backups = readdirSync(dir)
    .map((n) => (n.startsWith(`${base}.`) && /^\d+$/.test(n.slice(base.length + 1)) ? Number(n.slice(base.length + 1)) : 0))
    .filter((n) => n > 0)
    .sort((a, b) => b - a)
    .map((n) => `${path}.${n}`);
  return existsSync(path) ? [...backups, path] : backups;
}

export const read = (path: string): string => (existsSync(path) ? readFileSync(path, 'latin1') : '');
export const readAll = (paths: string[]): string => paths.map(read).join('');

/**
 * `text` is exactly a run of numbered lines from some line to `last` (the first line may be cut,
 * as rotation cuts between reads, not lines): no byte missing, doubled or out of order.
 * Returns the number of the first whole line.
 */
export function assertNumberedTail(text: string, last: number): number {
  const firstWhole = text.indexOf('\n') + 1;
  const m = /^line (\d{8})\n/.exec(text.slice(firstWhole));
  assert.ok(m, `no numbered line after the first newline: ${JSON.stringify(text.slice(0, 80))}`);
  const from = Number(m[1]);
  const want = numberedText(from, last);
  assert.ok(text.length >= want.length, `log shorter than lines ${from}..${last}`);
  const head = text.slice(0, text.length - want.length);
  const tail = text.slice(text.length - want.length);
  if (tail !== want) {
    const at = [...tail].findIndex((c, i) => c !== want[i]);
    assert.fail(`log differs from lines ${from}..${last} at byte ${at}: ${JSON.stringify(tail.slice(at - 20, at + 40))} vs ${JSON.stringify(want.slice(at - 20, at + 40))}`);
  }
  if (from > 1) assert.ok(`line ${String(from - 1).padStart(8, '0')}\n`.endsWith(head), `partial first line ${JSON.stringify(head)}`);
  return from;
}

export const logDir = (d: h.Daemon, ...parts: string[]): string => join(d.dir, ...parts);

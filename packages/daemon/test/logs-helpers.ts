/** Shared helpers of the logs tests: temp dirs, real child processes, bounded waits. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';

/** A fresh temp dir, removed when the test file ends. */
export function tempDir(tag = 'logs'): string {
  const dir = mkdtempSync(join(tmpdir(), `tsv-${tag}-`));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const started = new Set<ChildProcess>();
after(() => {
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

/** Spawns a child with piped stdio; it is killed when the test file ends if still running. */
export function run(command: string, args: string[], opts: { stdin?: 'pipe' | 'ignore' } = {}): ChildProcess {
  const child = spawn(command, args, { stdio: [opts.stdin ?? 'ignore', 'pipe', 'pipe'] });
  started.add(child);
  child.once('exit', () => started.delete(child));
  return child;
}

/** A node one-liner child (ESM), with piped stdio. */
export function runNode(code: string, args: string[] = [], opts: { stdin?: 'pipe' | 'ignore' } = {}): ChildProcess {
  return run(process.execPath, ['--input-type=module', '-e', code, ...args], opts);
}

/** Resolves when the child has exited (bounded). */
export function exited(child: ChildProcess, timeoutMs = 20_000): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`child ${child.pid} did not exit in ${timeoutMs} ms`)), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

/** Polls `predicate` every 10 ms until true, or fails after `timeoutMs`. */
export async function waitUntil(predicate: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The concatenation of `path.N` … `path.1`, `path` (oldest first) and how many files exist. */
export function readRotated(path: string): { data: Buffer; files: number } {
  const dir = path.slice(0, path.lastIndexOf('/'));
  const base = path.slice(path.lastIndexOf('/') + 1);
  const indexes = readdirSync(dir)
    .filter((n) => n.startsWith(`${base}.`) && /^\d+$/.test(n.slice(base.length + 1)))
    .map((n) => Number(n.slice(base.length + 1)))
    .sort((a, b) => b - a);
  const parts = indexes.map((i) => readFileSync(`${path}.${i}`));
  parts.push(readFileSync(path));
  return { data: Buffer.concat(parts), files: parts.length };
}

/** `1\n2\n…n\n`, as `seq 1 n` prints it. */
export function seqText(n: number, from = 1): string {
  let s = '';
  for (let i = from; i <= n; i++) s += `${i}\n`;
  return s;
}

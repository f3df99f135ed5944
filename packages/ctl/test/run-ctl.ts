/** Runs the tsupervisorctl binary as a child process and collects what it printed. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const CTL_BIN = fileURLToPath(new URL('../../bin/tsupervisorctl.cjs', import.meta.url));

export interface Ran {
  stdout: string;
  stderr: string;
  code: number | null;
}

export function runCtl(args: string[], options: { input?: string; env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {}): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CTL_BIN, ...args], {
      env: { ...process.env, NO_COLOR: '1', ...options.env },
      cwd: options.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 15000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, code });
    });
    // A ctl that exits before reading its stdin (e.g. at once on a missing socket) must not
    // fail the test with EPIPE: what it printed and its exit code are what is checked.
    child.stdin.on('error', () => {});
    child.stdin.end(options.input ?? '');
  });
}

/** Starts the binary and returns the child, for tests that signal it (tail -f, Ctrl-C). */
export function startCtl(args: string[], env: NodeJS.ProcessEnv = {}) {
  const child = spawn(process.execPath, [CTL_BIN, ...args], {
    env: { ...process.env, NO_COLOR: '1', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const done = new Promise<Ran>((resolve) => child.on('close', (code) => resolve({ stdout, stderr, code })));
  return {
    child,
    done,
    stdout: () => stdout,
    async waitFor(text: string, ms = 5000): Promise<void> {
      const end = Date.now() + ms;
      while (!stdout.includes(text)) {
        if (Date.now() > end) throw new Error(`timeout waiting for ${JSON.stringify(text)}; got ${JSON.stringify(stdout)}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
  };
}

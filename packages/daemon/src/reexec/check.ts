/**
 * Before `reexec`: the installed code and the configuration must load, or nothing happens. The
 * daemon's own entry is run again as a separate process with CHECK_ENV set: it parses the
 * command line, reads the configuration, loads the native addon, and exits 0, or prints why
 * not (as a start would) and exits non-zero.
 */
import { spawn } from 'node:child_process';
import { nodeStartEnvironment } from '../start/node-environment.js';
import { CHECK_ENV } from './state.js';

export interface CheckResult {
  ok: boolean;
  /** What the new image printed (the error, without its help line). */
  why: string;
}

export function checkNextImage(cwd: string, timeoutMs = 20_000): Promise<CheckResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
      cwd,
      env: nodeStartEnvironment({ [CHECK_ENV]: '1' }),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (s: string) => {
      if (err.length < 8192) err += s;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ ok: false, why: `cannot run ${process.argv[1] ?? process.execPath}: ${e.message}` });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const text = err
        .split('\n')
        .filter((l) => l && !l.startsWith('For help, use'))
        .join('\n')
        .replace(/^Error: /, '');
      if (code === 0) resolve({ ok: true, why: '' });
      else resolve({ ok: false, why: text || `the new daemon code exited with ${signal ?? `status ${code}`}` });
    });
  });
}

/** Starts the real tsupervisord on a temp config (nodaemon=true, temp socket) for ctl tests. */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Ran, runCtl } from './run-ctl.js';

export const DAEMON_BIN = fileURLToPath(new URL('../../../daemon/bin/tsupervisord.js', import.meta.url));
export const DAEMON_BUILT = existsSync(fileURLToPath(new URL('../../../daemon/dist/src/main.js', import.meta.url)));

export interface RealDaemon {
  dir: string;
  conf: string;
  ctl(args: string[], options?: Parameters<typeof runCtl>[1]): Promise<Ran>;
  /** `[program:x]…` sections are appended to the conf (for reread/update). */
  writeConf(programs: string): void;
  stop(): Promise<void>;
}

function header(dir: string): string {
  return [
    '[unix_http_server]', `file=${dir}/sock`, '',
    '[supervisord]', `logfile=${dir}/supervisord.log`, `pidfile=${dir}/supervisord.pid`, `childlogdir=${dir}`, 'nodaemon=true', '',
    '[rpcinterface:supervisor]', 'supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface', '',
    '[supervisorctl]', `serverurl=unix://${dir}/sock`, '', '',
  ].join('\n');
}

export async function startDaemon(programs: string): Promise<RealDaemon> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ctl-daemon-'));
  const conf = path.join(dir, 'supervisord.conf');
  const writeConf = (p: string) => writeFileSync(conf, header(dir) + p);
  writeConf(programs);
  const child = spawn(process.execPath, [DAEMON_BIN, '-c', conf], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const ctl = (args: string[], options: Parameters<typeof runCtl>[1] = {}) => runCtl(['-c', conf, ...args], { cwd: dir, ...options });
  const end = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`tsupervisord exited ${child.exitCode}: ${stderr}`);
    if (existsSync(`${dir}/sock`) && (await ctl(['pid'])).code === 0) break;
    if (Date.now() > end) throw new Error(`tsupervisord did not answer: ${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    dir,
    conf,
    ctl,
    writeConf,
    async stop() {
      if (child.exitCode === null) {
        await ctl(['shutdown']);
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The conformance runner's normalisation: pids, uptimes, stop dates. */
export function normalise(text: string): string {
  return text
    .replace(/pid [0-9]+/g, 'pid N')
    .replace(/uptime ([0-9]+ days?, )?[0-9]+:[0-9]{2}:[0-9]{2}/g, 'uptime T')
    .replace(/[A-Z][a-z]{2} [0-9]{2} [0-9]{2}:[0-9]{2} [AP]M/g, 'DATE');
}

/** Polls `status NAME` until its state column reads `state`. */
export async function waitState(d: RealDaemon, state: string, ...names: string[]): Promise<void> {
  for (const name of names) {
    const end = Date.now() + 15_000;
    for (;;) {
      const ran = await d.ctl(['status', name]);
      if (ran.stdout.split(/\s+/)[1] === state) break;
      if (Date.now() > end) throw new Error(`timeout waiting for ${name} to be ${state}: ${ran.stdout}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

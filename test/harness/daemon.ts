/**
 * Runs a supervisor daemon on a private temp dir and drives it with its ctl binary.
 *
 * The same tests run against tsupervisor (default) or Debian's supervisor 4.2.5 for comparison:
 *   SUPERVISORD=supervisord node scripts/test.mjs e2e        # env switch, or
 *   startDaemon(conf, { daemonCmd: 'supervisord' })          # per call
 * The ctl follows the daemon (supervisord → supervisorctl) unless SUPERVISORCTL / ctlCmd says
 * otherwise.
 *
 * `confText` is appended to a generated header ([unix_http_server], [supervisorctl],
 * [rpcinterface:supervisor], [supervisord] with nodaemon=true and logfile/pidfile/childlogdir in
 * the temp dir); `@TMP@` in it is replaced by the temp dir.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { repoRoot } from './paths.js';
import { descendantsOf, childrenOf, isAlive, killPid, startTimeOf, startedPids, waitFor } from './procs.js';
import { makeTmpDir } from './tmp.js';

export type Impl = 'tsupervisor' | 'supervisor';

export interface DaemonOptions {
  /** Daemon command: a path or a name on PATH. `supervisord` selects Debian's supervisor. */
  daemonCmd?: string;
  ctlCmd?: string;
  /** Extra `key=value` lines for the [supervisord] section. */
  supervisordExtra?: string;
  /** Mode of the temp dir (0700 by default; 0755 when another user must reach a socket in it). */
  dirMode?: number;
  readyTimeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  /** Run in this existing directory (e.g. a second daemon after the first was killed); stop() leaves it. */
  dir?: string;
}

export interface CtlResult {
  stdout: string;
  stderr: string;
  code: number | null;
}

export interface StatusRow {
  name: string;
  state: string;
  pid?: number;
  description: string;
}

export interface Daemon {
  impl: Impl;
  dir: string;
  conf: string;
  pid: number;
  daemonCmd: string;
  ctlCmd: string;
  /** Runs `ctl -c conf ...args` (bounded by timeoutMs, default 30 s). */
  ctl(args: string[], timeoutMs?: number): Promise<CtlResult>;
  /** Parsed `status [name]` rows. */
  status(name?: string): Promise<StatusRow[]>;
  /** Polls `status name` until its state column reads `state`; returns that row. */
  waitState(name: string, state: string, timeoutMs?: number): Promise<StatusRow>;
  /** The daemon's direct children right now (from /proc). */
  children(): number[];
  /** daemon stdout+stderr and its log file, for assertion messages. */
  logs(): string;
  /** How the daemon process exited (code or signal), once it has. */
  exitStatus(): { code: number | null; signal: string | null } | undefined;
  /** `ctl shutdown`, bounded wait, then SIGKILL of the daemon and of every child pid seen. */
  stop(): Promise<void>;
}

const binDir = join(repoRoot, 'node_modules', '.bin');

export function resolveCommands(o: DaemonOptions = {}): { impl: Impl; daemonCmd: string; ctlCmd: string } {
  const daemonCmd = o.daemonCmd ?? process.env.SUPERVISORD ?? join(binDir, 'tsupervisord');
  const impl: Impl = basename(daemonCmd) === 'supervisord' ? 'supervisor' : 'tsupervisor';
  let ctlCmd = o.ctlCmd ?? process.env.SUPERVISORCTL;
  if (!ctlCmd) {
    if (impl === 'supervisor') ctlCmd = daemonCmd.includes('/') ? join(dirname(daemonCmd), 'supervisorctl') : 'supervisorctl';
    else ctlCmd = join(binDir, 'tsupervisorctl');
  }
  return { impl, daemonCmd, ctlCmd };
}

/** Which implementation the tests run against by default (env SUPERVISORD). */
export const defaultImpl: Impl = resolveCommands().impl;

export function confHeader(dir: string, extra = ''): string {
  return `; written by test/harness/daemon.ts
[unix_http_server]
file=${dir}/supervisor.sock

[supervisorctl]
serverurl=unix://${dir}/supervisor.sock

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[supervisord]
nodaemon=true
logfile=${dir}/supervisord.log
pidfile=${dir}/supervisord.pid
childlogdir=${dir}
${extra}
`;
}

export function parseStatus(stdout: string): StatusRow[] {
  const rows: StatusRow[] = [];
  for (const line of stdout.split('\n')) {
    const m = /^(\S+)\s+([A-Z]+)\s*(.*)$/.exec(line);
    if (!m) continue;
    const pid = /pid (\d+)/.exec(m[3]!);
    rows.push({ name: m[1]!, state: m[2]!, description: m[3]!.trim(), pid: pid ? Number(pid[1]) : undefined });
  }
  return rows;
}

export function runCmd(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs: number }): Promise<CtlResult> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      stderr += `\n[harness] ${cmd} ${args.join(' ')}: killed after ${opts.timeoutMs} ms`;
      if (child.pid) killPid(child.pid);
    }, opts.timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ stdout, stderr: stderr + String(e), code: null });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, code });
    });
  });
}

export async function startDaemon(confText: string, o: DaemonOptions = {}): Promise<Daemon> {
  const { impl, daemonCmd, ctlCmd } = resolveCommands(o);
  const tmp = o.dir ? { path: o.dir, remove: () => undefined } : makeTmpDir('tsv-d-', o.dirMode);
  const dir = tmp.path;
  const conf = join(dir, 'supervisord.conf');
  writeFileSync(conf, confHeader(dir, o.supervisordExtra) + '\n' + confText.replaceAll('@TMP@', dir) + '\n');
  const env = { ...process.env, ...o.env };

  const outFd = openSync(join(dir, 'daemon.out'), 'w');
  const errFd = openSync(join(dir, 'daemon.err'), 'w');
  const child = spawn(daemonCmd, ['-c', conf], { cwd: dir, env, stdio: ['ignore', outFd, errFd], detached: true });
  closeSync(outFd);
  closeSync(errFd);
  let exited: { code: number | null; signal: string | null } | undefined;
  let spawnError: Error | undefined;
  child.on('exit', (code, signal) => (exited = { code, signal }));
  child.on('error', (e) => (spawnError = e));
  const pid = child.pid ?? -1;
  if (pid > 0) startedPids.add(pid);

  /** Every child pid seen, with its start time. */
  const seen = new Map<number, string>();
  const see = (p: number) => {
    if (!seen.has(p)) {
      const t = startTimeOf(p);
      if (t) seen.set(p, t);
    }
  };
  const seeChildren = () => {
    if (pid > 0) for (const c of descendantsOf(pid)) see(c);
  };

  const read = (f: string) => {
    try {
      return readFileSync(join(dir, f), 'utf8');
    } catch {
      return '';
    }
  };
  const logs = () =>
    `--- daemon stdout\n${read('daemon.out')}\n--- daemon stderr\n${read('daemon.err')}\n--- supervisord.log\n${read('supervisord.log')}`;

  const ctl = async (args: string[], timeoutMs = 30_000) => {
    const r = await runCmd(ctlCmd, ['-c', conf, ...args], { cwd: dir, env, timeoutMs });
    for (const m of r.stdout.matchAll(/pid (\d+)/g)) see(Number(m[1]));
    seeChildren();
    return r;
  };

  const status = async (name?: string) => parseStatus((await ctl(name ? ['status', name] : ['status'])).stdout);

  const waitState = async (name: string, state: string, timeoutMs = 15_000) => {
    let last = '';
    try {
      return await waitFor(
        `${name} to be ${state}`,
        async () => {
          const r = await ctl(['status', name]);
          last = r.stdout + r.stderr;
          return parseStatus(r.stdout).find((row) => row.name === name && row.state === state);
        },
        timeoutMs,
        100,
      );
    } catch (e) {
      throw new Error(`${(e as Error).message}; last status: ${last.trim()}`);
    }
  };

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    seeChildren();
    if (!exited && isAlive(pid)) {
      await ctl(['shutdown'], 10_000);
      try {
        await waitFor('the daemon to exit', () => exited || !isAlive(pid), 15_000);
      } catch {
        killPid(pid, 'SIGKILL');
        await waitFor('the daemon to die', () => exited, 5_000).catch(() => undefined);
      }
    }
    for (const [p, t] of seen) if (isAlive(p) && startTimeOf(p) === t) killPid(p, 'SIGKILL');
    startedPids.delete(pid);
    tmp.remove();
  };

  try {
    await waitFor(
      `${basename(daemonCmd)} to answer ${basename(ctlCmd)}`,
      async () => {
        if (spawnError) throw new Error(`cannot start ${daemonCmd}: ${spawnError.message}`);
        if (exited) throw new Error(`${daemonCmd} exited early (${JSON.stringify(exited)})\n${logs()}`);
        if (!existsSync(join(dir, 'supervisor.sock'))) return false;
        const r = await runCmd(ctlCmd, ['-c', conf, 'pid'], { cwd: dir, env, timeoutMs: 5_000 });
        return r.code === 0 && /^\d+\s*$/.test(r.stdout);
      },
      o.readyTimeoutMs ?? 15_000,
      50,
    );
  } catch (e) {
    await stop();
    throw e;
  }

  return { impl, dir, conf, pid, daemonCmd, ctlCmd, ctl, status, waitState, children: () => childrenOf(pid), logs, exitStatus: () => exited, stop };
}


/** Runs `body` against a fresh daemon and stops it after; the daemon's output is added to a failure. */
export async function withDaemon(conf: string, body: (d: Daemon) => Promise<void>, o: DaemonOptions = {}): Promise<void> {
  const d = await startDaemon(conf, o);
  try {
    await body(d);
  } catch (e) {
    (e as Error).message += `\n${d.logs().slice(-6000)}`;
    throw e;
  } finally {
    await d.stop();
  }
}

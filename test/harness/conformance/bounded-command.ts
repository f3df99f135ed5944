/**
 * Runs one command of a case as the recorder did (`timeout -k 5 STEP_TIMEOUT CMD >.out 2>.err
 * </dev/null`): stdout and stderr go to files in the case's temp dir (so a background process
 * that keeps them open cannot hang the runner), the command gets a process group of its own, and
 * past the step timeout that group gets SIGTERM, then SIGKILL 5 s later. Exit codes follow
 * timeout(1) and bash: 124 when timed out (137 when SIGKILL was needed), 128+N for signal N.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { constants } from 'node:os';
import { join } from 'node:path';
import { startedPids } from '../procs.js';

export interface Outcome {
  /** latin1 text of the bytes written */
  stdout: string;
  stderr: string;
  code: number;
}

export interface BoundedOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  timeoutS: number;
  /** where .out and .err are written (the case's temp dir) */
  outDir: string;
  signal?: AbortSignal;
  /** receives the process group of every command started, for `killGroups` at the end */
  groups?: Set<number>;
}

const KILL_AFTER_MS = 5000;

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    /* the group is gone */
  }
}

export function runBounded(argv: string[], o: BoundedOptions): Promise<Outcome> {
  const outPath = join(o.outDir, '.out');
  const errPath = join(o.outDir, '.err');
  const outFd = openSync(outPath, 'w');
  const errFd = openSync(errPath, 'w');
  let child;
  try {
    child = spawn(argv[0]!, argv.slice(1), { cwd: o.cwd, env: o.env, stdio: ['ignore', outFd, errFd], detached: true });
  } finally {
    closeSync(outFd);
    closeSync(errFd);
  }
  const pid = child.pid;
  if (pid) {
    startedPids.add(pid);
    o.groups?.add(pid);
  }
  return new Promise((resolve) => {
    let timedOut = false;
    let killed = false;
    let spawnError: Error | undefined;
    const timers: NodeJS.Timeout[] = [];
    const abort = () => pid && signalGroup(pid, 'SIGKILL');
    o.signal?.addEventListener('abort', abort, { once: true });
    timers.push(
      setTimeout(() => {
        timedOut = true;
        if (pid) signalGroup(pid, 'SIGTERM');
        timers.push(
          setTimeout(() => {
            killed = true;
            if (pid) signalGroup(pid, 'SIGKILL');
          }, KILL_AFTER_MS),
        );
      }, o.timeoutS * 1000),
    );
    let done = false;
    const finish = (code: number | null, signal: NodeJS.Signals | null) => {
      if (done) return;
      done = true;
      for (const t of timers) clearTimeout(t);
      o.signal?.removeEventListener('abort', abort);
      if (pid) startedPids.delete(pid);
      let stderr = readFileSync(errPath, 'latin1');
      if (spawnError) stderr += `${argv[0]}: ${spawnError.message}\n`;
      let status = code ?? (signal ? 128 + (constants.signals[signal] ?? 0) : 127);
      if (spawnError) status = 127;
      else if (timedOut) status = killed ? 128 + constants.signals.SIGKILL : 124;
      resolve({ stdout: readFileSync(outPath, 'latin1'), stderr, code: status });
    };
    child.on('error', (e) => {
      spawnError = e;
      if (!pid) finish(null, null);
    });
    child.on('exit', finish);
  });
}

/** SIGKILLs every process still in one of `groups` (what a step left running in background). */
export function killGroups(groups: Set<number>): void {
  if (groups.size === 0) return;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const pgrp = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
      if (groups.has(pgrp)) process.kill(Number(entry), 'SIGKILL');
    } catch {
      /* gone meanwhile */
    }
  }
}

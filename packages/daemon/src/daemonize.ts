/**
 * Going to the background as supervisord does without -n, but without its race: the parent
 * waits until the daemon's control socket answers (or it failed) before exiting, so a script
 * can call tsupervisorctl right after tsupervisord returns.
 */
import { spawn } from 'node:child_process';
import { closeSync, writeSync } from 'node:fs';
import { nodeStartEnvironment } from './start/node-environment.js';

const CHILD_ENV = 'TSUPERVISORD_DAEMON_CHILD';
const READY_FD = 3;

/** Read once at start and removed, so supervised children don't inherit it. */
const daemonChild = process.env[CHILD_ENV] === '1';
delete process.env[CHILD_ENV];

export function isDaemonChild(): boolean {
  return daemonChild;
}

/** In the parent: start the background daemon and exit with its start-up verdict. */
export function daemonize(): Promise<never> {
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    detached: true,
    stdio: ['ignore', 'ignore', 'ignore', 'pipe'],
    env: nodeStartEnvironment({ [CHILD_ENV]: '1' }),
  });
  return new Promise(() => {
    let report = '';
    const pipe = child.stdio[READY_FD] as NodeJS.ReadableStream;
    pipe.setEncoding('utf8');
    pipe.on('data', (d: string) => {
      report += d;
    });
    pipe.on('end', () => {
      if (report.startsWith('ready')) process.exit(0);
      const m = /^exit (\d+)\n([\s\S]*)$/.exec(report);
      process.stderr.write(m ? m[2] : report || 'tsupervisord: the daemon exited during start-up\n');
      process.exit(m ? Number(m[1]) : 1);
    });
    child.unref();
  });
}

/** In the daemon child: tell the waiting parent how start-up went, then let go of it. */
export function reportToParent(outcome: { ready: true } | { ready: false; code: number; message: string }): void {
  if (!isDaemonChild()) return;
  try {
    writeSync(READY_FD, outcome.ready ? 'ready\n' : `exit ${outcome.code}\n${outcome.message}`);
    closeSync(READY_FD);
  } catch {
    /* the parent is gone */
  }
}

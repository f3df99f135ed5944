/**
 * `reexec` in the running image: stop reading every child's pipe (what they write from now on
 * waits in the pipe for the next image), wait until everything read is in the logs, record each
 * process's state and which fd is which, keep those fds across the exec (FD_CLOEXEC cleared),
 * close the control servers and execve the same node with the same arguments: same pid, so
 * every child stays our child. Returns only if the exec failed (everything is resumed).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { capturesIdle, holdAllPipes, releaseAllPipes } from '../logs/index.js';
import type { Logger } from '../logger.js';
import { clearCloexec, reexecImage } from '../native/index.js';
import type { Supervisor } from '../supervisor.js';
import { STATE_ENV, writeState, type ReexecState, type SavedProcess } from './state.js';

export interface ExecDeps {
  supervisor: Supervisor;
  logger: Logger & { flush?(): Promise<void> };
  /** Where the daemon was started (the next image resolves its -c against it). */
  cwd: string;
  /** Close the control servers (the next image opens them again on the same paths). */
  closeServers(): Promise<void>;
  /** The exec failed: open them again. */
  reopenServers(): Promise<void>;
}

function keep(fd: number): boolean {
  try {
    clearCloexec(fd);
    return true;
  } catch {
    return false;
  }
}

export function saveProcesses(supervisor: Supervisor): SavedProcess[] {
  return supervisor.allLexical().map((p) => ({
    namespec: p.namespec,
    config: JSON.stringify(p.config),
    listener: supervisor.groups.get(p.groupName)?.config.kind === 'eventlistener',
    driver: p.exportState(),
  }));
}

/** The fcgi sockets' fds to keep (a socket_drain pool: one entry per socket), or why not now. */
function handedSockets(supervisor: Supervisor): ReexecState['sockets'] | string {
  const sockets: ReexecState['sockets'] = [];
  for (const s of supervisor.openSockets()) {
    const fds = s.handOver();
    if (typeof fds === 'string') return fds;
    for (const f of fds) sockets.push({ url: s.url, ...f });
  }
  return sockets;
}

/** Why this daemon cannot be re-executed now, or null. */
export function cannotReexec(supervisor: Supervisor): string | null {
  const sockets = handedSockets(supervisor);
  return typeof sockets === 'string' ? sockets : null;
}

export async function execAgain(deps: ExecDeps): Promise<Error> {
  const { supervisor, logger } = deps;
  const at = Date.now();
  holdAllPipes();
  await capturesIdle();
  const processes = saveProcesses(supervisor);
  const sockets = handedSockets(supervisor);
  if (typeof sockets === 'string') {
    releaseAllPipes();
    logger.log('warn', `reexec not done, the running daemon goes on: ${sockets}`);
    return new Error(sockets);
  }
  const state: ReexecState = { version: 1, at, cwd: deps.cwd, processes, sockets };
  const dir = mkdtempSync(join(tmpdir(), 'tsupervisord-reexec-'));
  const file = join(dir, 'state.json');
  try {
    for (const p of processes) {
      const fds = p.driver.fds;
      if (!fds) continue;
      // a pipe closed meanwhile (its child exited, EBADF) is handed over as closed
      for (const key of ['stdin', 'stdout', 'stderr'] as const) if (fds[key] !== null && !keep(fds[key])) fds[key] = null;
    }
    for (const s of sockets) clearCloexec(s.fd);
    writeState(file, state);
    logger.log('info', `re-executing ${process.argv[1] ?? process.execPath} (${processes.length} processes kept)`);
    await deps.closeServers();
    await logger.flush?.();
    const env = Object.entries({ ...process.env, [STATE_ENV]: file }).map(([k, v]) => `${k}=${v ?? ''}`);
    reexecImage(process.execPath, [process.argv0, ...process.execArgv, ...process.argv.slice(1)], env);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    releaseAllPipes();
    logger.log('critical', `reexec failed, the running daemon goes on: ${(err as Error).message}`);
    await deps.reopenServers().catch((e: Error) => logger.log('critical', `reexec: cannot reopen the control servers: ${e.message}`));
    return err as Error;
  }
  return new Error('unreachable');
}

/**
 * `reexec` in the running image: stop reading every child's pipe (what they write from now on
 * waits in the pipe for the next image), wait until everything read is in the logs, record each
 * process's state and which fd is which, keep those fds across the exec (FD_CLOEXEC cleared),
 * and execve the same node with the same arguments: same pid, so every child stays our child.
 * The control servers' listening fds are handed over first (their backlog queues whoever
 * connects until the next image accepts). Returns only if the exec failed (everything is
 * resumed).
 */
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { exportGenerations } from '../logs/generations.js';
import { capturesIdle, holdAllPipes, releaseAllPipes } from '../logs/index.js';
import type { Logger } from '../logger.js';
import { clearCloexec, reexecImage } from '../native/index.js';
import { releaseHeldExecs } from '../process/exec-batch.js';
import type { Supervisor } from '../supervisor.js';
import type { EventSystem } from '../events/system.js';
import { nodeStartEnvironment } from '../start/node-environment.js';
import { newStateFile, STATE_ENV, writeState, type KeptFd, type ReexecState, type SavedGroup, type SavedProcess } from './state.js';
import { retireAll } from '../servers/retire.js';
import { startPump, stopPumpHere } from './pump.js';

/** How long a control connection may take to answer what it is handling before the exec. */
const RETIRE_MS = 100;

export interface ExecDeps {
  supervisor: Supervisor;
  events: EventSystem;
  logger: Logger & { flush?(): Promise<void> };
  /** Where the daemon was started (the next image resolves its -c against it). */
  cwd: string;
  /** Stop accepting on the control servers, their listening fds kept for the next image. */
  handOverServers(): KeptFd[];
  /** The exec failed: serve the kept fds again. */
  reopenServers(kept: KeptFd[]): Promise<void>;
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
    autoLogs: {
      stdout: p.config.stdout.target.kind === 'auto' ? p.output.stdoutPath || null : null,
      stderr: p.config.stderr.target.kind === 'auto' && !p.config.redirectStderr ? p.output.stderrPath || null : null,
    },
  }));
}

export function saveGroups(supervisor: Supervisor): SavedGroup[] {
  return [...supervisor.groups.values()].map((g) => ({ name: g.name, config: JSON.stringify({ ...g.config, processes: [] }) }));
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
  // a socket_drain pool with a worker draining cannot be handed over: nothing is touched yet
  const sockets = handedSockets(supervisor);
  if (typeof sockets === 'string') {
    logger.log('warn', `reexec not done, the running daemon goes on: ${sockets}`);
    return new Error(sockets);
  }
  // armed spawns (process/armed-spawn.ts) are not handed over: their children go unexec'd;
  // children held until their batch is spawned (process/exec-batch.ts) exec now
  for (const p of supervisor.allByPriority()) p.disarm();
  releaseHeldExecs();
  const servers = deps.handOverServers();
  holdAllPipes();
  await capturesIdle();
  // after the output read so far went to the logs, and to their followers
  await retireAll(RETIRE_MS);
  // spliced channels go on reaching their logs while the next image starts (reexec/pump.ts)
  const pump = startPump();
  const processes = saveProcesses(supervisor);
  const groups = saveGroups(supervisor);
  const fds: KeptFd[] = [...sockets.map((s) => ({ kind: 'fcgi-socket' as const, ...s })), ...servers];
  const logs = exportGenerations();
  const events = { serial: deps.events.lastSerial, listeners: deps.events.exportListeners() };
  const state: ReexecState = { version: 1, at, cwd: deps.cwd, processes, groups, fds, logs, events, sockets, ...(pump?.child.pid ? { pump: pump.child.pid } : {}) };
  const file = newStateFile();
  try {
    for (const p of processes) {
      const fds = p.driver.fds;
      if (!fds) continue;
      // a pipe closed meanwhile (its child exited, EBADF) is handed over as closed
      for (const key of ['stdin', 'stdout', 'stderr'] as const) if (fds[key] !== null && !keep(fds[key])) fds[key] = null;
    }
    for (const k of fds) clearCloexec(k.fd);
    writeState(file, state);
    const pumped = pump ? `, ${pump.channels} spliced log${pump.channels === 1 ? '' : 's'} written on meanwhile` : '';
    logger.log('info', `re-executing ${process.argv[1] ?? process.execPath} (${processes.length} processes kept${pumped})`);
    await logger.flush?.();
    const env = Object.entries(nodeStartEnvironment({ [STATE_ENV]: file })).map(([k, v]) => `${k}=${v}`);
    reexecImage(process.execPath, [process.argv0, ...process.execArgv, ...process.argv.slice(1)], env);
  } catch (err) {
    rmSync(dirname(file), { recursive: true, force: true });
    if (pump) await stopPumpHere(pump.child); // before the pipes are read here again
    releaseAllPipes();
    logger.log('critical', `reexec failed, the running daemon goes on: ${(err as Error).message}`);
    await deps.reopenServers(servers).catch((e: Error) => logger.log('critical', `reexec: cannot reopen the control servers: ${e.message}`));
    return err as Error;
  }
  return new Error('unreachable');
}

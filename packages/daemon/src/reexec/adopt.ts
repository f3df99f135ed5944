/**
 * `reexec` in the new image: take over what the previous one left (reexec/state.ts).
 *
 * - Children: the pid is ours (same process), reaped as every program is (reaper.ts): claimed
 *   first thing, so that no sweep takes it for an orphan, then watched. A child that exited
 *   during the exec is a zombie by now: the sweep right after adoption reaps it and its exit is
 *   handled as any other (autorestart, events).
 * - Pipes and stdin: the same fds, wrapped again (PipeSource, ChildStdin); what the child wrote
 *   while no image read is still in the pipe.
 * - fcgi sockets: the same listening fds, given to the supervisor before its groups are built.
 * - Event listeners are not adopted (their protocol state is not carried over): stopped, then
 *   started afresh. A program whose configuration changed is restarted, as `update` would.
 */
import { PipeSource } from '../logs/index.js';
import type { Logger } from '../logger.js';
import { closeFd } from '../native/index.js';
import { ChildStdin } from '../process/child-stdin.js';
import type { ChildLike } from '../process/adoption.js';
import type { Subprocess } from '../process/subprocess.js';
import { claimChild, reapExited, watchChild } from '../reaper.js';
import { ListeningSocket } from '../sockets/listening-socket.js';
import type { Supervisor } from '../supervisor.js';
import type { ReexecState, SavedProcess } from './state.js';

/** First thing at start-up: the orphan reaper (reaper.ts) must not reap these pids. */
export function claimChildren(state: ReexecState): void {
  for (const p of state.processes) if (p.driver.fds && p.driver.state.pid) claimChild(p.driver.state.pid);
}

/** Before the supervisor builds its groups: the fcgi sockets it had. Unused ones are closed. */
export function adoptSockets(supervisor: Supervisor, state: ReexecState): void {
  for (const { url, fd } of state.sockets) {
    const gc = supervisor.config.groups.find((g) => g.socket?.address.url === url);
    if (!gc?.socket) {
      closeQuietly(fd);
      continue;
    }
    const socket = new ListeningSocket(gc.socket);
    socket.adopt(fd);
    supervisor.adoptSocket(socket);
  }
}

/** Inside supervisor.start(), before autostart: every process of the previous image. */
export function adoptProcesses(supervisor: Supervisor, state: ReexecState, logger: Logger): void {
  for (const saved of state.processes) {
    let p: Subprocess | null = null;
    try {
      p = supervisor.findProcess(saved.namespec);
    } catch {
      p = null;
    }
    if (!p || saved.listener) {
      release(saved, logger, p ? 'an event listener, started afresh' : 'no longer in the configuration');
      continue;
    }
    const fds = saved.driver.fds;
    const pid = saved.driver.state.pid;
    const child = fds && pid ? watchChild(pid) : null;
    const io =
      child && fds
        ? {
            stdin: fds.stdin === null ? null : new ChildStdin(fds.stdin),
            stdout: fds.stdout === null ? null : new PipeSource(fds.stdout),
            stderr: fds.stderr === null ? null : new PipeSource(fds.stderr),
          }
        : null;
    p.adopt({ ...saved.driver, fds: null }, child, io);
    if (saved.config !== JSON.stringify(p.config) && pid) {
      logger.log('info', `reexec: ${saved.namespec} changed in the configuration: restarting it`);
      p.stop();
      void p.stopped().then(() => p.start());
    }
  }
  // children that exited while the exec was under way
  setImmediate(reapExited);
}

/** A process the new image does not keep: stop its child and reap it; close its pipes. */
function release(saved: SavedProcess, logger: Logger, why: string): void {
  const fds = saved.driver.fds;
  const pid = saved.driver.state.pid;
  if (!fds || !pid) return;
  logger.log('info', `reexec: stopping ${saved.namespec} (pid ${pid}): ${why}`);
  const child = watchChild(pid);
  child.once('exit', () => {
    for (const fd of [fds.stdin, fds.stdout, fds.stderr]) if (fd !== null) closeQuietly(fd);
  });
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    /* gone already: the sweep reaps it */
  }
}

function closeQuietly(fd: number): void {
  try {
    closeFd(fd);
  } catch {
    /* EBADF */
  }
}

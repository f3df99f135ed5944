/**
 * Output during the exec: while the new image starts (node, the bundle, the configuration:
 * ~100 ms), no one reads the children's pipes. For every channel that was being spliced into its
 * log (logs/capture.ts: nothing but the file needs its bytes), the old image starts a pump just
 * before the exec (`tsv-exec --pump`, native/tsv_pump.c) that goes on splicing them into the
 * same files; the new image stops it (SIGTERM, then waits for its exit) before it reads any
 * pipe. So a program's log keeps growing across a reexec instead of pausing; every byte is in
 * the file or still in the pipe, never both. Channels read by the daemon (followed, stamped,
 * with events …) wait in their pipes as before.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { reapPid, SHIM_PATH } from '../native/index.js';
import { splicingChannels } from '../process/child-logs.js';

/** The pump stops by itself after this long (a new image that never came). */
const PUMP_SECONDS = 30;
/** How long the new image waits for the pump to exit before it kills it. */
const STOP_WAIT_MS = 2000;

/** Starts the pump for the channels splicing now (their pipes held); null if there are none. */
export function startPump(): { child: ChildProcess; channels: number } | null {
  const channels = splicingChannels();
  if (channels.length === 0) return null;
  const args = ['--pump', String(PUMP_SECONDS), ...channels.flatMap((c) => [String(c.limit), c.path])];
  let child: ChildProcess;
  try {
    // the pipes as fds 3, 4, … in the channels' order
    child = spawn(SHIM_PATH, args, { stdio: ['ignore', 'ignore', 'ignore', ...channels.map((c) => c.fd)] });
  } catch {
    return null; // not started: the output waits in the pipes, as without a pump
  }
  child.on('error', () => undefined); // (EMFILE, ENOENT … come as an event: no pid then)
  return child.pid ? { child, channels: channels.length } : null;
}

/** The exec failed: the old image stops the pump before it reads its pipes again. */
export function stopPumpHere(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/**
 * In the new image, before any pipe is read: stops the previous image's pump and waits for it
 * to exit (it is this process's child; a splice under way finishes first, within a millisecond).
 */
export function stopPump(pid: number): void {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return; // gone already
  }
  const end = Date.now() + STOP_WAIT_MS;
  let killed = false;
  for (;;) {
    try {
      if (reapPid(pid)) return;
    } catch {
      return; // not our child any more (reaped elsewhere)
    }
    if (!killed && Date.now() > end) {
      killed = true;
      try {
        process.kill(pid, 'SIGKILL'); // a splice is never half done: nothing is lost or doubled
      } catch {
        return;
      }
    }
    Atomics.wait(sleeper, 0, 0, 0.1);
  }
}

/**
 * `reexec` in the new image: take over what the previous one left (reexec/state.ts).
 *
 * - Children: the pid is ours (same process), reaped as every program is (reaper.ts): claimed
 *   first thing, so that no sweep takes it for an orphan, then watched. A child that exited
 *   during the exec is a zombie by now: the sweep right after adoption reaps it and its exit is
 *   handled as any other (autorestart, events).
 * - Pipes and stdin: the same fds, wrapped again (PipeSource, ChildStdin); what the child wrote
 *   while no image read is still in the pipe.
 * - fcgi sockets: the same listening fds, given to the supervisor before its groups are built; a
 *   socket_drain pool's sockets go back to the workers that held them.
 * - Event listeners are adopted as the others; their pools' and protocols' state is given back
 *   by events/carry.ts (from an older image without it, they are stopped and started afresh).
 *   A program whose configuration changed is handled as `update` would: the
 *   keys only the supervisor reads (update/keys.ts LIVE_KEYS) apply in place, any other
 *   restarts it. Its group's keys count as update's plan counts them (update/plan.ts): a new
 *   fcgi socket address (or socket_pass) restarts the workers onto the new socket (the old fd
 *   is closed by adoptSockets, no group naming it), a listener pool's new events, buffer_size
 *   or result_handler restarts its listeners, and the pool starts afresh (carriedListeners).
 */
import { splitNamespec } from '@tsupervisor/protocol';
import { PipeSource } from '../logs/index.js';
import type { Logger } from '../logger.js';
import { closeFdQuietly } from '../native/index.js';
import { ChildStdin } from '../process/child-stdin.js';
import { ProcessGroup } from '../process/group.js';
import type { ChildLike } from '../process/adoption.js';
import type { Subprocess } from '../process/subprocess.js';
import { claimChild, reapExited, watchChild } from '../reaper.js';
import { stopPump } from './pump.js';
import type { Supervisor } from '../supervisor.js';
import type { GroupConfig, ProcessConfig } from '../config/types.js';
import type { ListenersState } from '../events/carry.js';
import { changedProcessKeys, listenerKeys, needsRestart, socketKeysForProcesses } from '../update/keys.js';
import { keptOf, type ReexecState, type SavedProcess } from './state.js';

/** First thing at start-up: the orphan reaper (reaper.ts) must not reap these pids. */
export function claimChildren(state: ReexecState): void {
  for (const p of state.processes) if (p.driver.fds && p.driver.state.pid) claimChild(p.driver.state.pid);
}

/** Each process's AUTO log files, for logs/auto-logs.ts carryAutoLogs. */
export function carriedAutoLogs(state: ReexecState): Array<{ group: string; name: string; channel: 'stdout' | 'stderr'; path: string }> {
  return state.processes.flatMap((p) =>
    (['stdout', 'stderr'] as const).flatMap((channel) => {
      const path = p.autoLogs?.[channel];
      const [group, name] = splitNamespec(p.namespec);
      return path ? [{ group, name: name ?? group, channel, path }] : [];
    }),
  );
}

/** Before the supervisor builds its groups: the fcgi sockets it had. Unused ones are closed. */
export function adoptSockets(supervisor: Supervisor, state: ReexecState): void {
  const byUrl = new Map<string, Array<{ fd: number; holder?: string | null }>>();
  for (const { url, fd, holder } of keptOf(state.fds, 'fcgi-socket')) byUrl.set(url, [...(byUrl.get(url) ?? []), { fd, holder }]);
  for (const [url, fds] of byUrl) {
    const gc = supervisor.config.groups.find((g) => g.socket?.address.url === url);
    if (!gc?.socket) {
      for (const { fd } of fds) closeFdQuietly(fd);
      continue;
    }
    supervisor.adoptSocket(gc.socket, fds);
  }
}

/** Inside supervisor.start(), before autostart: every process of the previous image. */
export function adoptProcesses(supervisor: Supervisor, state: ReexecState, logger: Logger): void {
  supervisor.adoptSocketHolders();
  const groupKeys = changedGroups(supervisor, state);
  for (const saved of state.processes) {
    let p: Subprocess | null = null;
    try {
      p = supervisor.findProcess(saved.namespec);
    } catch {
      p = null;
    }
    // listeners are adopted when the previous image handed over their protocol state
    if (!p || (saved.listener && !state.events?.listeners)) {
      release(supervisor, state, saved, logger, p ? 'an event listener, started afresh' : 'no longer in the configuration');
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
    // as `update` would: keys read by the supervisor only apply in place (p has the new
    // configuration already), any other changed key restarts it
    const keys = [
      ...changedProcessKeys(JSON.parse(saved.config) as ProcessConfig, JSON.parse(JSON.stringify(p.config)) as ProcessConfig),
      ...(groupKeys.get(p.groupName) ?? []),
    ];
    if (pid && needsRestart(keys)) {
      logger.log('info', `reexec: ${saved.namespec} changed in the configuration (${keys.join(', ')}): restarting it`);
      p.stop();
      void p.stopped().then(() => p.start());
    }
  }
  // The pump splicing output during the exec stops (and has exited) before any pipe is read
  // here: the pipes above are only watched so far, the first read comes in a later turn of the
  // event loop. Stopping it last lets it write on while the processes are adopted.
  if (state.pump) stopPump(state.pump);
  // children that exited while the exec was under way
  setImmediate(reapExited);
}

/**
 * Per group still configured, its changed keys that restart its processes as update's plan
 * says (planMatched): the socket's address or pass, the listener pool's settings.
 */
export function changedGroups(supervisor: Supervisor, state: ReexecState): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const saved of state.groups ?? []) {
    const now = supervisor.groups.get(saved.name)?.config;
    if (!now) continue;
    const was = JSON.parse(saved.config) as GroupConfig;
    const keys = [...socketKeysForProcesses(was.socket, now.socket), ...listenerKeys(was, now)];
    if (keys.length > 0) out.set(saved.name, keys);
  }
  return out;
}

/**
 * The listener state to give back: a pool whose settings changed starts afresh, as update
 * rebuilds it (no buffered events, its serial from 0), and its listeners, being restarted, get
 * no protocol state back.
 */
export function carriedListeners(supervisor: Supervisor, state: ReexecState, listeners: ListenersState): ListenersState {
  const changed = changedGroups(supervisor, state);
  const groupOf = (namespec: string) => supervisor.allLexical().find((p) => p.namespec === namespec)?.groupName;
  return {
    pools: listeners.pools.filter((pool) => !changed.has(pool.name)),
    listeners: listeners.listeners.filter((l) => !changed.has(groupOf(l.namespec) ?? '')),
  };
}

/**
 * A process the new image does not keep is stopped as `update` stops a removed one: by the
 * previous configuration's stopsignal (to its group with stopasgroup), SIGKILL after its
 * stopwaitsecs (killasgroup), its output logged until it exits, "stopped: x (...)" in the main
 * log. It runs in a group of its own that the supervisor does not list (it is gone from the
 * configuration), dropped once stopped.
 */
function release(supervisor: Supervisor, state: ReexecState, saved: SavedProcess, logger: Logger, why: string): void {
  const fds = saved.driver.fds;
  const pid = saved.driver.state.pid;
  if (!fds || !pid) return;
  logger.log('info', `reexec: stopping ${saved.namespec} (pid ${pid}): ${why}`);
  const pc = JSON.parse(saved.config) as ProcessConfig;
  const groupName = splitNamespec(saved.namespec)[0];
  const savedGroup = state.groups?.find((g) => g.name === groupName);
  const gc = savedGroup ? (JSON.parse(savedGroup.config) as GroupConfig) : null;
  const group = new ProcessGroup({ ...(gc ?? leavingGroup(groupName, pc)), processes: [pc], socket: null }, null);
  const p = supervisor.createProcess(group, pc);
  p.adopt({ ...saved.driver, fds: null }, watchChild(pid), {
    stdin: fds.stdin === null ? null : new ChildStdin(fds.stdin),
    stdout: fds.stdout === null ? null : new PipeSource(fds.stdout),
    stderr: fds.stderr === null ? null : new PipeSource(fds.stderr),
  });
  p.stop();
  void p.stopped().then(async () => {
    p.dispose();
    await p.output.close();
  });
}

/** A group for a leaving process when an older image saved no group configuration. */
function leavingGroup(name: string, pc: ProcessConfig): GroupConfig {
  return { name, kind: 'program', priority: pc.priority, processes: [pc], socket: null, listener: null, origin: pc.origin };
}


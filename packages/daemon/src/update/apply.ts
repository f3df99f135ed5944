/**
 * `update`, server side, with the minimal diff of plan.ts: reread, then in supervisor's order
 * remove, change and add groups, touching only the processes whose own settings changed.
 * Unchanged processes keep their pid; numprocs up starts only the new workers; numprocs down
 * stops only the surplus (highest first); a process moving between groups keeps running.
 * An fcgi socket with the same address is kept (backlog, mode and owner applied in place);
 * a new address is bound first, the workers restart onto it, then the old one is closed: the
 * sockets' lifetime is sockets/socket-owner.ts's (reached through sup.socketFor and
 * sup.releaseUnusedSockets), this file only says when.
 *
 * The lines stay supervisorctl's, word for word: `g: stopped` then `g: updated process group`
 * for a changed group (the stop step is reported as supervisor does, even when it stopped
 * nothing), `g: stopped` then `g: removed process group`, `g: added process group`.
 */
import type { UpdateAction, UpdatePlan, UpdateResult, GroupPlan, ProcessPlan } from '@tsupervisor/protocol';
import type { GroupConfig } from '../config/types.js';
import { ProcessGroup } from '../process/group.js';
import type { Subprocess } from '../process/subprocess.js';
import { isRunningState } from '../process/transition.js';
import type { Supervisor } from '../supervisor.js';
import { exclusive } from './exclusive.js';
import { supervisorEqual } from './diff.js';
import { needsRestart } from './keys.js';
import { planUpdate, type LiveGroup } from './plan.js';
import { withDependencyWaits } from './waits.js';
import { dependencyView } from '../process/start-gate.js';

/** The running groups as the pure plan sees them. */
export function liveGroups(sup: Supervisor): LiveGroup[] {
  return [...sup.groups.values()].map((g) => ({
    config: g.config,
    running: new Set(g.processes.filter((p) => isRunningState(p.state) || p.state === 'STOPPING').map((p) => p.name)),
  }));
}

/** Reread (as reloadConfig) and plan; `names` limits it (`all` or none = every group). */
export function planFromConfig(sup: Supervisor, names: string[] = []): { plan: UpdatePlan; unknown: string[] } {
  const diff = sup.reloadConfig();
  const only = new Set(names.includes('all') ? [] : names);
  const known = new Set([...sup.groups.keys(), ...diff.added]);
  const live = (namespec: string) => {
    try {
      return dependencyView(namespec, sup.findProcess(namespec));
    } catch {
      return null; // not running yet: update adds it
    }
  };
  const plan = withDependencyWaits(planUpdate(liveGroups(sup), sup.latest.groups, only), sup.latest.groups, live);
  return { plan, unknown: [...only].filter((n) => !known.has(n)) };
}

export function applyUpdate(sup: Supervisor, names: string[] = []): Promise<UpdateResult> {
  return exclusive(() => apply(sup, names));
}

/** A moved process that keeps running is adopted by its new group, not replaced. */
function adopts(pp: ProcessPlan): boolean {
  return pp.fromGroup !== undefined && pp.action !== 'stop' && !needsRestart(pp.changed);
}

async function apply(sup: Supervisor, names: string[]): Promise<UpdateResult> {
  const { plan, unknown } = planFromConfig(sup, names);
  const actions: UpdateAction[] = unknown.map((group) => ({ group, action: 'nosuchgroup' }));
  // The configuration this plan was made from (a reread during the update must not change it).
  const latest = sup.latest.groups;
  const configOf = (name: string) => latest.find((g) => g.name === name)!;

  // Processes moving to another group leave their old group first, still running.
  const movers = new Map<string, Subprocess>();
  for (const gp of plan.groups) {
    for (const pp of gp.processes.filter(adopts)) {
      const from = sup.groups.get(pp.fromGroup!);
      const p = from?.get(pp.name);
      // Only a running process is worth carrying over; a stopped one is recreated fresh.
      if (!from || !p || !isLive(p)) continue;
      from.processes.splice(from.processes.indexOf(p), 1);
      movers.set(`${gp.group}\u0000${pp.name}`, p);
    }
  }

  for (const gp of plan.groups.filter((g) => g.change === 'removed')) {
    const group = sup.groups.get(gp.group);
    if (!group) continue;
    await sup.stopProcesses(stopOrder(group.processes));
    actions.push({ group: gp.group, action: 'stopped' });
    if (group.unstopped().length > 0) {
      actions.push({ group: gp.group, action: 'problems' });
      continue;
    }
    await sup.removeGroup(gp.group, { keepSocket: true });
    actions.push({ group: gp.group, action: 'removed' });
  }
  for (const gp of plan.groups.filter((g) => g.change === 'changed')) {
    const group = sup.groups.get(gp.group);
    if (!group) continue;
    // A change supervisord would not see (socket_mode, a logfile that was AUTO …) is applied
    // without a line: its reread and update report nothing for that group.
    const visible = !supervisorEqual(group.config, configOf(gp.group));
    await reconcile(sup, group, configOf(gp.group), gp, movers);
    if (visible) actions.push({ group: gp.group, action: 'stopped' }, { group: gp.group, action: 'updated' });
  }
  for (const gp of plan.groups.filter((g) => g.change === 'added')) {
    const gc = configOf(gp.group);
    const group = new ProcessGroup(gc, sup.socketFor(gc));
    const byName = new Map(gp.processes.map((pp) => [pp.name, pp]));
    for (const pc of gc.processes) {
      const mover = movers.get(`${gp.group}\u0000${pc.name}`);
      if (mover) sup.adoptProcess(group, mover, pc);
      group.processes.push(mover ?? sup.createProcess(group, pc));
    }
    sup.installGroup(group);
    startPlanned(sup, group, byName);
    actions.push({ group: gp.group, action: 'added' });
  }
  sup.releaseUnusedSockets();
  return { actions };
}

/**
 * Bring a running group to its new settings in place. Order: bind the new socket (if any),
 * stop what goes or restarts, swap in the new process list, then start; the old socket is
 * closed by the caller once no group holds it.
 */
async function reconcile(
  sup: Supervisor,
  group: ProcessGroup,
  gc: GroupConfig,
  gp: GroupPlan,
  movers: Map<string, Subprocess>,
): Promise<void> {
  const socket = sup.socketFor(gc);
  const byName = new Map(gp.processes.map((pp) => [pp.name, pp]));
  const kept = new Map<string, Subprocess>();
  for (const p of group.processes) {
    const pp = byName.get(p.name);
    // A process that is not running is replaced by a fresh one (supervisor rebuilds the group:
    // "Not started" unless autostart starts it); a running one is kept unless it must restart.
    if (pp && pp.fromGroup === undefined && pp.action !== 'stop' && pp.action !== 'remove' && !needsRestart(pp.changed) && isLive(p)) {
      kept.set(p.name, p);
    }
  }
  const leaving = group.processes.filter((p) => kept.get(p.name) !== p);
  await sup.stopProcesses(stopOrder(leaving));
  for (const p of leaving) {
    p.dispose();
    await p.output.close();
  }

  sup.setGroupConfig(group, gc);
  group.socket = socket;
  const next: Subprocess[] = [];
  for (const pc of gc.processes) {
    const own = kept.get(pc.name);
    const mover = movers.get(`${gp.group}\u0000${pc.name}`);
    if (own) own.reconfigure(pc);
    else if (mover) sup.adoptProcess(group, mover, pc);
    next.push(own ?? mover ?? sup.createProcess(group, pc));
  }
  group.processes.splice(0, group.processes.length, ...next);
  startPlanned(sup, group, byName);
  sup.logger.log('info', `updated process group ${group.name}: ${summary(gp)}`);
}

/** Running in supervisor's sense for update: STARTING, RUNNING, BACKOFF or STOPPING. */
function isLive(p: Subprocess): boolean {
  return isRunningState(p.state) || p.state === 'STOPPING';
}

/**
 * Start the processes the plan says start or restart, by priority (not awaited, as autostart),
 * each once what it depends on is there.
 */
function startPlanned(sup: Supervisor, group: ProcessGroup, byName: Map<string, ProcessPlan>): void {
  if (sup.state !== 'RUNNING') return;
  for (const p of group.byPriority()) {
    const action = byName.get(p.name)?.action;
    if (action === 'start' || action === 'restart') sup.gate.startWhenFree(p);
  }
}

/** Highest priority (then last in config order) first: numprocs down stops the top numbers. */
function stopOrder(processes: Subprocess[]): Subprocess[] {
  return processes
    .map((p, i) => ({ p, i }))
    .sort((a, b) => b.p.config.priority - a.p.config.priority || b.i - a.i)
    .map(({ p }) => p);
}

/** `kept 6, started 2` for the log. */
function summary(gp: GroupPlan): string {
  const counts = new Map<string, number>();
  for (const pp of gp.processes) counts.set(pp.action, (counts.get(pp.action) ?? 0) + 1);
  const words: Record<string, string> = { keep: 'kept', start: 'started', add: 'added', stop: 'stopped', remove: 'removed', restart: 'restarted' };
  const parts = [...counts].map(([action, n]) => `${words[action]} ${n}`);
  const socketWords = { keep: '', update: 'socket updated in place', rebind: `socket moved to ${gp.socket?.to}`, open: 'socket opened', close: 'socket closed' };
  if (gp.socket && gp.socket.action !== 'keep') parts.push(socketWords[gp.socket.action]);
  return parts.join(', ') || 'settings only';
}

/**
 * The minimal-diff update plan, as a pure function of the running groups and the configuration
 * just read: per process keep / start / add / stop / remove / restart, per fcgi socket keep /
 * update / rebind / open / close. A process is matched by its program section and its name, so
 * one that moves between groups (a [group:x] edit) is recognised and left running.
 *
 * supervisor stops and rebuilds every changed group: afterwards each of its processes runs if
 * autostart=true and is a fresh "Not started" one otherwise. Every process of a changed group
 * ends in that same state here, reached with as few restarts as possible:
 * - autostart=true, running (STARTING/RUNNING/BACKOFF/STOPPING): restart if a changed key needs
 *   it (command, environment, logs, user, socket address …), else keep (changed keys applied in
 *   place); not running (stopped by hand, EXITED, FATAL): start;
 * - autostart=false: stop if running (supervisor leaves it stopped), else keep;
 *   (apply.ts gives every process that ends up not running a fresh state: "Not started")
 * - new: start if autostart, else add; gone: stop if running, else remove.
 */
import type { GroupPlan, ProcessPlan, ReloadResult, SocketPlan, UpdatePlan } from '@tsupervisor/protocol';
import type { GroupConfig, ProcessConfig } from '../config/types.js';
import { diffGroups } from './diff.js';
import { changedGroupKeys, changedProcessKeys, changedSocketKeys, listenerKeys, needsRestart, socketKeysForProcesses } from './keys.js';

/** A running group as the plan sees it: its config and which of its processes are running. */
export interface LiveGroup {
  config: GroupConfig;
  /** Names of its processes in STARTING, RUNNING, BACKOFF or STOPPING. */
  running: ReadonlySet<string>;
}

interface Located {
  group: GroupConfig;
  process: ProcessConfig;
}

/** A process's identity across groups: its section and its name. */
function identity(pc: ProcessConfig): string {
  return `${pc.programName}\u0000${pc.name}`;
}

/** One place: group and process name. */
function key(at: Located): string {
  return `${at.group.name}\u0000${at.process.name}`;
}

function located(gc: GroupConfig | undefined): Located[] {
  return gc ? gc.processes.map((process) => ({ group: gc, process })) : [];
}

/**
 * Which old process each new one continues (by key of the new place). A program may be listed
 * in several [group:x] sections, one process per group: it stays in its own group when that
 * group still lists it; otherwise it moves to the first new place (config order) that has no
 * process of its own. Each old process is claimed once, so every other place gets a new process.
 */
function matchLocations(olds: Located[], news: Located[]): Map<string, Located> {
  const oldAt = new Map(olds.map((at) => [key(at), at]));
  const matched = new Map<string, Located>();
  const taken = new Set<string>();
  for (const at of news) {
    const same = oldAt.get(key(at));
    if (same && identity(same.process) === identity(at.process)) {
      matched.set(key(at), same);
      taken.add(key(same));
    }
  }
  for (const at of news) {
    if (matched.has(key(at))) continue;
    const from = olds.find((o) => !taken.has(key(o)) && identity(o.process) === identity(at.process));
    if (!from) continue;
    matched.set(key(at), from);
    taken.add(key(from));
  }
  return matched;
}

/** `only` empty = every group (update / update all). */
export function planUpdate(current: LiveGroup[], next: GroupConfig[], only: ReadonlySet<string> = new Set()): UpdatePlan {
  const diff: ReloadResult = diffGroups(
    current.map((g) => g.config),
    next,
  );
  const inScope = (name: string) => only.size === 0 || only.has(name);
  const live = new Map(current.map((g) => [g.config.name, g]));
  const wanted = new Set([...diff.removed, ...diff.changed, ...diff.added].filter(inScope));

  const olds = [...wanted].flatMap((name) => located(live.get(name)?.config));
  const news = next.filter((gc) => wanted.has(gc.name)).flatMap((gc) => located(gc));
  const matched = matchLocations(olds, news);
  const claimed = new Set([...matched.values()].map(key));
  const isRunning = (at: Located) => live.get(at.group.name)?.running.has(at.process.name) ?? false;

  const planFor = (gc: GroupConfig): ProcessPlan[] =>
    gc.processes.map((pc) => {
      const old = matched.get(key({ group: gc, process: pc }));
      if (old) return planMatched(old, { group: gc, process: pc }, isRunning(old));
      return { name: pc.name, group: gc.name, action: pc.autostart ? 'start' : 'add', changed: [] };
    });
  const leaving = (gc: GroupConfig): ProcessPlan[] =>
    gc.processes
      .filter((pc) => !claimed.has(key({ group: gc, process: pc })))
      .reverse()
      .map((pc) => ({
        name: pc.name,
        group: gc.name,
        action: isRunning({ group: gc, process: pc }) ? 'stop' : 'remove',
        changed: [],
      }));

  const groups: GroupPlan[] = [];
  for (const name of diff.removed.filter(inScope)) {
    const old = live.get(name)!.config;
    groups.push({ group: name, change: 'removed', changed: [], socket: planSocket(old.socket, null), processes: leaving(old) });
  }
  for (const name of diff.changed.filter(inScope)) {
    const old = live.get(name)!.config;
    const gc = next.find((g) => g.name === name)!;
    groups.push({
      group: name,
      change: 'changed',
      changed: changedGroupKeys(old, gc),
      socket: planSocket(old.socket, gc.socket),
      processes: [...planFor(gc), ...leaving(old)],
    });
  }
  for (const name of diff.added.filter(inScope)) {
    const gc = next.find((g) => g.name === name)!;
    groups.push({ group: name, change: 'added', changed: [], socket: planSocket(null, gc.socket), processes: planFor(gc) });
  }
  return { ...diff, groups };
}

function planMatched(old: Located, now: Located, running: boolean): ProcessPlan {
  const changed = [
    ...changedProcessKeys(old.process, now.process),
    ...socketKeysForProcesses(old.group.socket, now.group.socket),
    ...listenerKeys(old.group, now.group),
  ];
  const plan: ProcessPlan = { name: now.process.name, group: now.group.name, action: 'keep', changed };
  if (old.group.name !== now.group.name) plan.fromGroup = old.group.name;
  if (!now.process.autostart) {
    if (running) plan.action = 'stop';
  } else if (!running) plan.action = 'start';
  else if (needsRestart(changed)) plan.action = 'restart';
  return plan;
}

function planSocket(a: GroupConfig['socket'], b: GroupConfig['socket']): SocketPlan | null {
  if (!a && !b) return null;
  const from = a?.address.url ?? null;
  const to = b?.address.url ?? null;
  const changed = changedSocketKeys(a, b);
  let action: SocketPlan['action'];
  if (!a) action = 'open';
  else if (!b) action = 'close';
  else if (from !== to) action = 'rebind';
  else action = changed.some((k) => k !== 'socket_pass') ? 'update' : 'keep';
  return { action, from, to, changed };
}

/**
 * What `update --dry-run` says of a process update would start or restart: what its depends_on=
 * (as just read) will make it wait for. Each dependency is resolved against the configuration
 * just read and judged by the start gate's own verdict (process/dependencies.ts) on the live
 * process. As the gate does (start-gate.ts's bringUp), a dependency not met and not on its way
 * (stopped, exited, FATAL, new) is started by the same update, and waited for; one on its way
 * is named with its state. Then, when it has a `ready=` check, what it waits for once spawned
 * before it counts as RUNNING (and its dependents may start): `ready=notify (up to 60 s)`, the
 * check as written and its ready_timeout=. Pure: the live processes come in as a lookup.
 */
import type { UpdatePlan } from '@tsupervisor/protocol';
import { namespecOf, resolveTarget, type GroupView } from '../config/dependencies.js';
import type { GroupConfig, ProcessConfig } from '../config/types.js';
import { verdict, waitingText, type DependencyView } from '../process/dependencies.js';
import { isRunningState } from '../process/transition.js';

/** Its own ready= check, once spawned: `ready=notify (up to 60 s)`. */
function readyWait(pc: ProcessConfig): string {
  return `ready=${pc.ready!.text} (up to ${pc.readyTimeout} s)`;
}

/** The plan with `waitsFor` on each started or restarted process that will wait. */
export function withDependencyWaits(plan: UpdatePlan, next: readonly GroupConfig[], live: (namespec: string) => DependencyView | null): UpdatePlan {
  const views = new Map<string, GroupView>(next.map((g) => [g.name, { name: g.name, members: g.processes }]));
  const starts = (action: string) => action === 'start' || action === 'restart';
  const starting = new Set(plan.groups.flatMap((g) => g.processes.filter((p) => starts(p.action)).map((p) => namespecOf(p.group, p.name))));
  const groups = plan.groups.map((g) => ({
    ...g,
    processes: g.processes.map((pp) => {
      if (!starts(pp.action)) return pp;
      const pc = next.find((gc) => gc.name === pp.group)?.processes.find((p) => p.name === pp.name);
      const waits: string[] = [];
      for (const spec of pc?.dependsOn ?? []) {
        for (const namespec of resolveTarget(spec.target, views) ?? []) {
          const what = waitingText(spec, namespec);
          if (starting.has(namespec)) {
            waits.push(`${what}: started by this update`);
            continue;
          }
          const dep = live(namespec);
          if (dep && verdict(spec.condition, dep).kind === 'met') continue;
          if (dep && isRunningState(dep.snapshot.state)) waits.push(`${what}: ${dep.snapshot.state}`);
          else waits.push(`${what}: started by this update`);
        }
      }
      if (pc?.ready) waits.push(readyWait(pc));
      return waits.length ? { ...pp, waitsFor: waits } : pp;
    }),
  }));
  return { ...plan, groups };
}

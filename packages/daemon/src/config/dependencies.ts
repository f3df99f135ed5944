/**
 * `depends_on=` (tsupervisor): its words, what each names, and the check of the whole graph.
 *
 * A word is `name`, `group:name` or `group:*`, optionally followed by `:ready` (the default) or
 * `:exited`. `group:*` is every process of the group; `group:name` one process; a bare `name` is
 * the group of that name (a [program:x] is a group of its own), else the processes of the
 * program section `name` wherever a [group:x] put them. The resolver works on any view of the
 * groups (the configuration just read, or the running groups), so the daemon resolves a word as
 * the check did. Unknown names and cycles are configuration errors at the depends_on= line,
 * the cycle spelled out: `a -> b -> a`.
 */
import { BadValue, ConfigError } from './errors.js';
import type { DependencyCondition, DependencySpec, GroupConfig, Origin } from './types.js';

const CONDITIONS: readonly DependencyCondition[] = ['ready', 'exited'];

/** `db migrate:exited app:*` → specs (origin: the key's line). */
export function toDependsOn(value: string, origin: Origin): DependencySpec[] {
  const out: DependencySpec[] = [];
  for (const word of value.split(/\s+/).filter(Boolean)) {
    let target = word;
    let condition: DependencyCondition = 'ready';
    const colon = word.lastIndexOf(':');
    const suffix = colon < 0 ? '' : word.slice(colon + 1);
    if (CONDITIONS.includes(suffix as DependencyCondition)) {
      target = word.slice(0, colon);
      condition = suffix as DependencyCondition;
    }
    const parts = target.split(':');
    if (parts.length > 2 || parts.some((p) => p === '' || p.includes('/')) || (parts[0] === '*')) {
      throw new BadValue(`${JSON.stringify(word)} is not name, group:name or group:* (optionally :ready or :exited)`);
    }
    if (!out.some((s) => s.target === target && s.condition === condition)) out.push({ target, condition, origin });
  }
  return out;
}

/** What the resolver needs of a group: its name and its processes' names and sections. */
export interface GroupView {
  name: string;
  members: ReadonlyArray<{ name: string; programName: string }>;
}

/** `group:name`, or `name` when the process is its group's only namesake (status's namespec). */
export function namespecOf(group: string, name: string): string {
  return group === name ? name : `${group}:${name}`;
}

/** The namespecs a target names, or null when it names nothing. */
export function resolveTarget(target: string, groups: ReadonlyMap<string, GroupView>): string[] | null {
  const colon = target.indexOf(':');
  if (colon >= 0) {
    const group = groups.get(target.slice(0, colon));
    const name = target.slice(colon + 1);
    if (!group) return null;
    const members = name === '*' ? group.members : group.members.filter((m) => m.name === name);
    return members.length ? members.map((m) => namespecOf(group.name, m.name)) : null;
  }
  const group = groups.get(target);
  if (group) return group.members.map((m) => namespecOf(group.name, m.name));
  const found: string[] = [];
  for (const g of groups.values()) for (const m of g.members) if (m.programName === target) found.push(namespecOf(g.name, m.name));
  return found.length ? found : null;
}

/** Each process's direct dependencies (namespecs), and the spec that brought each in. */
export type DependencyGraph = Map<string, Array<{ on: string; spec: DependencySpec }>>;

/** The graph of the configuration's processes; an unknown target is a ConfigError. */
export function dependencyGraph(groups: readonly GroupConfig[]): DependencyGraph {
  const views = new Map(groups.map((g) => [g.name, { name: g.name, members: g.processes }] as const));
  const graph: DependencyGraph = new Map();
  for (const g of groups) {
    for (const p of g.processes) {
      const edges: Array<{ on: string; spec: DependencySpec }> = [];
      for (const spec of p.dependsOn ?? []) {
        const on = resolveTarget(spec.target, views);
        if (!on) throw specError(g, p.name, spec, `unknown program, group or process ${JSON.stringify(spec.target)}`);
        for (const n of on) edges.push({ on: n, spec });
      }
      graph.set(namespecOf(g.name, p.name), edges);
    }
  }
  return graph;
}

/** Refuse unknown names and cycles (loadConfig calls this once every group is read). */
export function checkDependencies(groups: readonly GroupConfig[]): void {
  const graph = dependencyGraph(groups);
  const cycle = findCycle(graph);
  if (!cycle) return;
  const [first, second] = cycle;
  const spec = graph.get(first!)!.find((e) => e.on === second)!.spec;
  const group = groups.find((g) => g.processes.some((p) => namespecOf(g.name, p.name) === first))!;
  const name = group.processes.find((p) => namespecOf(group.name, p.name) === first)!.name;
  throw specError(group, name, spec, `dependency cycle: ${cycle.join(' -> ')}`);
}

/** A cycle as the path that closes it (`a -> b -> a`), or null. Depth first, in config order. */
export function findCycle(graph: DependencyGraph): string[] | null {
  const done = new Set<string>();
  const path: string[] = [];
  const onPath = new Set<string>();
  const visit = (node: string): string[] | null => {
    if (onPath.has(node)) return [...path.slice(path.indexOf(node)), node];
    if (done.has(node)) return null;
    onPath.add(node);
    path.push(node);
    for (const { on } of graph.get(node) ?? []) {
      const found = visit(on);
      if (found) return found;
    }
    path.pop();
    onPath.delete(node);
    done.add(node);
    return null;
  };
  for (const node of graph.keys()) {
    const found = visit(node);
    if (found) return found;
  }
  return null;
}

function specError(group: GroupConfig, process: string, spec: DependencySpec, message: string): ConfigError {
  const section = group.processes.find((p) => p.name === process)!;
  const kind = group.kind === 'group' ? 'program' : group.kind;
  return new ConfigError({
    file: spec.origin.file,
    line: spec.origin.line,
    section: `${kind}:${section.programName}`,
    key: 'depends_on',
    message,
  });
}

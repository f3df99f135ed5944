/**
 * `update --dry-run` and `reread -v`: reread's lines (`name: available|changed|disappeared`,
 * sorted) each followed by what update would do, indented:
 *
 *   web: changed
 *     socket tcp://127.0.0.1:9001: updated in place (socket_backlog)
 *     web:web_00: keep
 *     web:web_06: start (new)
 *     web:web_03: stop
 *   api: available
 *     api: start (new; waits for db (ready): STARTING, migrate (exited): started by this update)
 *
 * Pure: data in, lines out.
 */
import { Faults, type GroupPlan, type ProcessPlan, type RollingResult, type SocketPlan, type UpdatePlan } from '@tsupervisor/protocol';
import { makeNamespec } from '../namespec.js';
import { pyCompare } from './text.js';

const WORDS = { added: 'available', changed: 'changed', removed: 'disappeared' } as const;

export function planLines(plan: UpdatePlan): string[] {
  if (plan.groups.length === 0) return ['No config updates to processes'];
  const out: string[] = [];
  for (const g of [...plan.groups].sort((a, b) => pyCompare(a.group, b.group))) {
    out.push(`${g.group}: ${WORDS[g.change]}`);
    out.push(...groupDetail(g).map((line) => `  ${line}`));
  }
  return out;
}

function groupDetail(g: GroupPlan): string[] {
  const out: string[] = [];
  const settings = g.changed.filter((k) => !k.startsWith('socket'));
  if (settings.length > 0) out.push(`group settings changed: ${settings.join(', ')}`);
  if (g.socket) out.push(socketLine(g.socket));
  for (const p of g.processes) out.push(processLine(p));
  return out;
}

function socketLine(s: SocketPlan): string {
  const keys = s.changed.length > 0 ? ` (${s.changed.join(', ')})` : '';
  switch (s.action) {
    case 'keep':
      return `socket ${s.to}: kept open${keys}`;
    case 'update':
      return `socket ${s.to}: updated in place${keys}`;
    case 'rebind':
      return `socket ${s.from} -> ${s.to}: new address bound, workers restarted onto it, old socket closed`;
    case 'open':
      return `socket ${s.to}: opened`;
    case 'close':
      return `socket ${s.from}: closed`;
  }
}

function processLine(p: ProcessPlan): string {
  const notes: string[] = [];
  if (p.fromGroup !== undefined) notes.push(`moves from group ${p.fromGroup}`);
  if (p.changed.length > 0) notes.push(`${p.action === 'keep' ? 'applied in place' : 'changed'}: ${p.changed.join(', ')}`);
  if (p.changed.length > 0 && p.action === 'stop') notes.push('autostart=false: left stopped, as supervisor would');
  else if ((p.action === 'start' || p.action === 'add') && p.fromGroup === undefined) notes.push('new');
  if (p.waitsFor && p.waitsFor.length > 0) notes.push(`waits for ${p.waitsFor.join(', ')}`);
  return `${makeNamespec(p.group, p.name)}: ${p.action}${notes.length > 0 ? ` (${notes.join('; ')})` : ''}`;
}

/** The closing line of a rolling restart that stopped early, or null when it went through. */
export function rollingSummary(result: RollingResult): string | null {
  const failed = result.steps.find((s) => s.status !== Faults.SUCCESS);
  if (!failed) return null;
  const name = makeNamespec(failed.group, failed.name);
  const rest = result.skipped.length > 0 ? `; not restarted (left as they were): ${result.skipped.join(' ')}` : '';
  return `rolling restart stopped at ${name}: it did not reach RUNNING (${failed.description})${rest}`;
}

/**
 * `wait [NAME...|all] [--timeout S]` (a tsupervisorctl extension, issue 16): block until every
 * named process is ready (exit 0), or one of them fails for good (exit 1, with the reason), or
 * the timeout passes (exit 124, as timeout(1)). Event-driven: a connection of its own subscribes
 * to the PROCESS_STATE events first, reads every process once, then reads again only a process
 * an event names (no status polling loop). For scripts and `docker compose up --wait`-like use.
 */
import type { Notifications, ProcessInfo } from '@tsupervisor/protocol';
import { Exit, isFault } from '../render/faults.js';
import { makeNamespec, splitNamespec, splitWords } from '../namespec.js';
import type { Command } from './types.js';

/** Exit status when --timeout passed before every process was ready. */
export const WAIT_TIMEOUT_EXIT = 124;

export type WaitVerdict = { kind: 'ready' } | { kind: 'pending' } | { kind: 'failed'; reason: string };

/**
 * Where a process stands for `wait`: ready from the daemon's own flag (RUNNING, after its
 * `ready=` check); failed when it will not get there by itself: FATAL, UNKNOWN, EXITED (a
 * process waited for is one meant to stay up), or left STOPPED by a failed dependency.
 * STOPPED otherwise, STARTING and BACKOFF are still pending.
 */
export function waitVerdict(info: ProcessInfo): WaitVerdict {
  if (info.ready === true || (info.ready === undefined && info.statename === 'RUNNING')) return { kind: 'ready' };
  switch (info.statename) {
    case 'FATAL':
      return { kind: 'failed', reason: `FATAL${info.spawnerr ? ` (${info.spawnerr})` : ''}` };
    case 'UNKNOWN':
      return { kind: 'failed', reason: 'UNKNOWN' };
    case 'EXITED':
      return { kind: 'failed', reason: `EXITED (${info.spawnerr || `exit status ${info.exitstatus}`})` };
    case 'STOPPED':
      return info.dependency_error ? { kind: 'failed', reason: `STOPPED (${info.dependency_error})` } : { kind: 'pending' };
    default:
      return { kind: 'pending' };
  }
}

function parseArgs(arg: string): { names: string[]; timeout: number | null } | string {
  const words = splitWords(arg);
  const names: string[] = [];
  let timeout: number | null = null;
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    const value = w === '--timeout' ? words[++i] : w.startsWith('--timeout=') ? w.slice('--timeout='.length) : undefined;
    if (w === '--timeout' || w.startsWith('--timeout=')) {
      if (value === undefined || !/^\d+(\.\d+)?$/.test(value)) return '--timeout needs a number of seconds';
      timeout = Number(value);
    } else if (w.startsWith('-')) return `unknown option ${w}`;
    else names.push(w);
  }
  return { names: names.length === 0 ? ['all'] : names, timeout };
}

type EventNotice = Notifications['tsupervisor.event'];

export const command: Command = {
  name: 'wait',
  help: [
    'wait <name> [<name> ...] [--timeout S]\tWait until the processes are ready',
    'wait <gname>:*\t\t\t\tWait until the processes of a group are ready',
    'wait [all]\t\t\t\tWait until every process is ready',
    '\t\tExit 0 once all are ready (RUNNING, after their ready= check); 1 when one fails',
    '\t\t(FATAL, EXITED, a failed dependency) or is unknown; 124 after --timeout S seconds.',
  ].join('\n'),
  async run(ctl, { arg }) {
    const parsed = parseArgs(arg);
    if (typeof parsed === 'string') {
      ctl.output(`Error: ${parsed}`);
      ctl.output(command.help);
      ctl.exitstatus = Exit.INVALID_ARGS;
      return;
    }
    if (!(await ctl.upcheck())) return;
    const client = await ctl.connect();
    const closed = new Promise<string>((resolve) => client.onClose(() => resolve('supervisord closed the connection')));
    let settle: (outcome: string | null) => void = () => {};
    const done = new Promise<string | null>((resolve) => (settle = resolve));
    const waiting = new Map<string, ProcessInfo>();
    const reported = new Set<string>();
    /** Look at one process's info: report it once ready or failed; settle when all are. */
    const review = (info: ProcessInfo) => {
      const spec = makeNamespec(info.group, info.name);
      if (!waiting.has(spec) || reported.has(spec)) return;
      const verdict = waitVerdict(info);
      if (verdict.kind === 'pending') return;
      reported.add(spec);
      if (verdict.kind === 'failed') {
        ctl.output(`${spec}: ERROR (${verdict.reason})`);
        return settle('failed');
      }
      ctl.output(`${spec}: ready`);
      if (reported.size === waiting.size) settle(null);
    };
    client.onNotification('tsupervisor.event', (e: EventNotice) => {
      const name = e.payload['processname'];
      const group = e.payload['groupname'];
      if (typeof name !== 'string' || typeof group !== 'string') return;
      if (!waiting.has(makeNamespec(group, name))) return;
      client.call('supervisor.getProcessInfo', { name: makeNamespec(group, name) }).then(review, () => {});
    });
    const timer = parsed.timeout === null ? null : setTimeout(() => settle('timeout'), parsed.timeout * 1000);
    try {
      await client.call('tsupervisor.subscribeEvents', { types: ['PROCESS_STATE'] });
      const infos = await client.call('supervisor.getAllProcessInfo');
      for (const name of parsed.names) {
        const [group, process] = splitNamespec(name);
        const found = name === 'all' ? infos : infos.filter((i) => i.group === group && (process === null || i.name === process));
        if (found.length === 0) {
          ctl.output(process === null ? `${group}: ERROR (no such group)` : `${name}: ERROR (no such process)`);
          ctl.exitstatus = Exit.GENERIC;
          return;
        }
        for (const info of found) waiting.set(makeNamespec(info.group, info.name), info);
      }
      for (const info of waiting.values()) review(info);
      if (reported.size === waiting.size) settle(null);
      const outcome = await Promise.race([done, closed]);
      if (outcome === 'timeout') {
        const left = [...waiting.keys()].filter((s) => !reported.has(s));
        ctl.output(`ERROR: not ready after ${parsed.timeout} s: ${left.join(', ')}`);
        ctl.exitstatus = WAIT_TIMEOUT_EXIT;
      } else if (outcome !== null) {
        if (outcome !== 'failed') ctl.outputError(outcome);
        ctl.exitstatus = Exit.GENERIC;
      }
    } catch (err) {
      if (!isFault(err)) throw err;
      ctl.output(`Error: ${err.detail || err.message}`);
      ctl.exitstatus = Exit.GENERIC;
    } finally {
      if (timer) clearTimeout(timer);
      client.close();
    }
  },
};

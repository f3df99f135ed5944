/**
 * `events [--json] [TYPE...]` (a tsupervisorctl extension): supervisor's events as they happen.
 * A connection of its own asks `tsupervisor.subscribeEvents` and the daemon pushes
 * `tsupervisor.event` notifications (no polling). Abstract names (PROCESS_STATE, TICK …)
 * take their subtypes; the default is everything: EVENT (supervisor's types) and tsupervisor's
 * own TSUPERVISOR_DEPENDENCY (a process held by depends_on=, what it waits for, its release)
 * and TSUPERVISOR_READINESS (a spawn waiting for its ready= check), which EVENT leaves out so that supervisor's listeners get what supervisord sends them.
 * Ctrl-C ends it with exit status 0. Across a daemon's `reexec` it reconnects by itself and gets
 * the events it missed (`after`).
 */
import type { Notifications } from '@tsupervisor/protocol';
import { Exit, isFault } from '../render/faults.js';
import { splitWords } from '../namespec.js';
import type { Command } from './types.js';
import { reconnect } from '../follow.js';

type EventNotice = Notifications['tsupervisor.event'];

/** No TYPE given: supervisor's events and tsupervisor's own. */
const EVERYTHING = ['EVENT', 'TSUPERVISOR_DEPENDENCY', 'TSUPERVISOR_READINESS'];

/** One line: the type, the payload's key:value fields, and the data (JSON-quoted) if any. */
export function eventLine(e: EventNotice): string {
  const parts = [e.type, ...Object.entries(e.payload).map(([k, v]) => `${k}:${v}`)];
  if (e.data !== undefined && e.data !== '') parts.push(`data:${JSON.stringify(e.data)}`);
  return parts.join(' ');
}

/** One JSON document per line. */
export function eventJson(e: EventNotice): string {
  return JSON.stringify(e.data === undefined ? { serial: e.serial, type: e.type, payload: e.payload } : e);
}

export const command: Command = {
  name: 'events',
  help: [
    'events [--json] [TYPE...]\tPrint supervisor events as they happen (Ctrl-C to exit).',
    '\t\t\t\tTYPE: an event type or an abstract one (PROCESS_STATE, TICK,',
    '\t\t\t\tPROCESS_LOG, PROCESS_GROUP, TSUPERVISOR_DEPENDENCY, ...);',
    '\t\t\t\tdefault: all (EVENT and the TSUPERVISOR_* types).',
  ].join('\n'),
  async run(ctl, { arg, json }) {
    if (!(await ctl.upcheck())) return;
    const words = splitWords(arg);
    const types = words.length > 0 ? words.map((w) => w.toUpperCase()) : EVERYTHING;
    const { interrupted, dispose } = ctl.interruptible();
    let stopped = false;
    void interrupted.then(() => (stopped = true));
    // the serial of the last event shown: a daemon that re-executes itself (reexec) says so
    // before the connection ends; the client connects again and asks for what came after it
    let last: number | null = null;
    try {
      for (;;) {
        const client = last === null ? await ctl.connect() : await reconnect(ctl, () => stopped);
        if (!client) return;
        // the notice is the daemon's last word on this connection (the client hides that close)
        const closed = new Promise<'closed' | 'reexec'>((resolve) => {
          client.onNotification('tsupervisor.closing', (n) => n.reason === 'reexec' && resolve('reexec'));
          client.onClose(() => resolve('closed'));
        });
        client.onNotification('tsupervisor.event', (e) => {
          last = e.serial;
          ctl.output(json ? eventJson(e) : eventLine(e));
        });
        try {
          try {
            await client.call('tsupervisor.subscribeEvents', last === null ? { types } : { types, after: last });
          } catch (err) {
            if (!isFault(err)) throw err;
            ctl.output(`Error: ${err.detail || err.message}`);
            ctl.exitstatus = Exit.GENERIC;
            return;
          }
          // a subscription that saw nothing yet resumes after nothing
          last ??= -1;
          const how = await Promise.race([interrupted.then(() => 'stopped' as const), closed]);
          if (how === 'reexec') continue;
          if (how === 'closed') {
            ctl.outputError('supervisord closed the connection');
            ctl.exitstatus = Exit.GENERIC;
          }
          return;
        } finally {
          client.close();
        }
      }
    } finally {
      dispose();
    }
  },
};

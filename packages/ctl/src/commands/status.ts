import { STOPPED_STATES } from '@tsupervisor/protocol';
import type { Ctl } from '../ctl.js';
import { StatusExit } from '../render/faults.js';
import { splitNamespec, splitWords } from '../namespec.js';
import { jsonText, processJson } from '../render/json.js';
import { statusLines } from '../render/status.js';
import type { Command, Invocation } from './types.js';

export const command: Command = {
  name: 'status',
  help: [
    'status <name>\t\tGet status for a single process',
    'status <gname>:*\tGet status for all processes in a group',
    'status <name> <name>\tGet status for multiple named processes',
    'status\t\t\tGet all process status info',
  ].join('\n'),
  run: status,
};

/** Exit 0 when all listed are running, 3 when one is stopped, 4 for unknown names or no server. */
export async function status(ctl: Ctl, { arg, json }: Invocation): Promise<void> {
  if (!(await ctl.upcheck())) {
    ctl.exitstatus = StatusExit.UNKNOWN;
    return;
  }
  const infos = await (await ctl.rpc()).call('supervisor.getAllProcessInfo');
  const names = splitWords(arg);
  let matching = infos;
  if (names.length > 0 && !names.includes('all')) {
    matching = [];
    for (const name of names) {
      const [group, process] = splitNamespec(name);
      const found = infos.filter((info) => info.group === group && (process === null || info.name === process));
      matching.push(...found);
      if (found.length === 0) {
        const message = process === null ? `${group}: ERROR (no such group)` : `${name}: ERROR (no such process)`;
        if (json) ctl.outputError(message);
        else ctl.output(message);
        ctl.exitstatus = StatusExit.UNKNOWN;
      }
    }
  }
  if (json) ctl.output(jsonText(matching.map(processJson)));
  else {
    const paint = await ctl.painter();
    for (const line of statusLines(matching, paint)) ctl.output(line);
  }
  if (matching.some((info) => STOPPED_STATES.includes(info.statename))) ctl.exitstatus = StatusExit.NOT_RUNNING;
}

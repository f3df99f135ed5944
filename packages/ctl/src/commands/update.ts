import { Faults } from '@tsupervisor/protocol';
import { Exit, isFault } from '../render/faults.js';
import { splitWords } from '../namespec.js';
import { jsonText } from '../render/json.js';
import { planLines } from '../render/plan.js';
import { isUpdateFailure, updateLine } from '../render/update.js';
import type { Ctl } from '../ctl.js';
import type { Command } from './types.js';

export const command: Command = {
  name: 'update',
  help: [
    'update\t\t\tReload config and add/remove as necessary, and will restart affected programs',
    'update all\t\tReload config and add/remove as necessary, and will restart affected programs',
    'update <gname> [...]\tUpdate specific groups',
  ].join('\n'),
  /** The daemon rereads and applies (tsupervisor.update); we print its actions in its order. */
  async run(ctl, { arg, json }) {
    const all = [...new Set(splitWords(arg))];
    const words = all.filter((w) => w !== '--dry-run');
    const names = words.includes('all') ? [] : words;
    if (words.length < all.length) {
      await dryRun(ctl, names, json);
      return;
    }
    let result;
    try {
      result = await (await ctl.rpc()).call('tsupervisor.update', names.length > 0 ? { names } : {});
    } catch (err) {
      ctl.exitstatus = Exit.GENERIC;
      if (!isFault(err, Faults.SHUTDOWN_STATE)) throw err;
      ctl.output('ERROR: already shutting down');
      return;
    }
    if (json) ctl.output(jsonText(result.actions));
    else for (const action of result.actions) ctl.output(updateLine(action));
    if (result.actions.some(isUpdateFailure)) ctl.exitstatus = Exit.GENERIC;
  },
};

/** `update --dry-run [names]` (tsupervisor): reread and print what update would do, per process. */
async function dryRun(ctl: Ctl, names: string[], json: boolean): Promise<void> {
  let plan;
  try {
    plan = await (await ctl.rpc()).call('tsupervisor.planUpdate', names.length > 0 ? { names } : {});
  } catch (err) {
    ctl.exitstatus = Exit.GENERIC;
    if (isFault(err, Faults.SHUTDOWN_STATE)) ctl.output('ERROR: already shutting down');
    else if (isFault(err, Faults.CANT_REREAD)) ctl.output(`ERROR: ${err.message}`);
    else throw err;
    return;
  }
  if (json) ctl.output(jsonText(plan));
  else for (const line of planLines(plan)) ctl.output(line);
}

import { Faults } from '@tsupervisor/protocol';
import { Exit, isFault } from '../faults.js';
import { splitWords } from '../namespec.js';
import { jsonText } from '../render/json.js';
import { isUpdateFailure, updateLine } from '../render/update.js';
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
    const words = [...new Set(splitWords(arg))];
    const names = words.includes('all') ? [] : words;
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

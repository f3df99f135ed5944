import { Faults, type ReloadResult, type UpdatePlan } from '@tsupervisor/protocol';
import { Exit, isFault } from '../render/faults.js';
import { jsonText } from '../render/json.js';
import { planLines } from '../render/plan.js';
import { rereadLines } from '../render/reread.js';
import type { Command } from './types.js';

export const command: Command = {
  name: 'reread',
  help: "reread \t\t\tReload the daemon's configuration files without add/remove",
  async run(ctl, { arg, json }) {
    const verbose = arg === '-v' || arg === '--verbose';
    if (arg && !verbose) {
      ctl.output('Error: reread accepts no arguments');
      ctl.exitstatus = Exit.GENERIC;
      ctl.output(command.help);
      return;
    }
    let result: ReloadResult | UpdatePlan;
    try {
      const rpc = await ctl.rpc();
      // `reread -v` (tsupervisor): the same reread, with what update would do per process.
      result = verbose ? await rpc.call('tsupervisor.planUpdate', {}) : await rpc.call('supervisor.reloadConfig');
    } catch (err) {
      ctl.exitstatus = Exit.GENERIC;
      if (isFault(err, Faults.SHUTDOWN_STATE)) ctl.output('ERROR: supervisor shutting down');
      else if (isFault(err, Faults.CANT_REREAD)) ctl.output(`ERROR: ${err.message}`);
      else throw err;
      return;
    }
    if (json) ctl.output(jsonText(verbose ? result : { added: result.added, changed: result.changed, removed: result.removed }));
    else for (const line of 'groups' in result ? planLines(result as UpdatePlan) : rereadLines(result)) ctl.output(line);
  },
};

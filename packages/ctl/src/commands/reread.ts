import { Faults } from '@tsupervisor/protocol';
import { Exit, isFault } from '../faults.js';
import { jsonText } from '../render/json.js';
import { rereadLines } from '../render/reread.js';
import type { Command } from './types.js';

export const command: Command = {
  name: 'reread',
  help: "reread \t\t\tReload the daemon's configuration files without add/remove",
  async run(ctl, { arg, json }) {
    if (arg) {
      ctl.output('Error: reread accepts no arguments');
      ctl.exitstatus = Exit.GENERIC;
      ctl.output(command.help);
      return;
    }
    let result;
    try {
      result = await (await ctl.rpc()).call('supervisor.reloadConfig');
    } catch (err) {
      ctl.exitstatus = Exit.GENERIC;
      if (isFault(err, Faults.SHUTDOWN_STATE)) ctl.output('ERROR: supervisor shutting down');
      else if (isFault(err, Faults.CANT_REREAD)) ctl.output(`ERROR: ${err.message}`);
      else throw err;
      return;
    }
    if (json) ctl.output(jsonText({ added: result.added, changed: result.changed, removed: result.removed }));
    else for (const line of rereadLines(result)) ctl.output(line);
  },
};

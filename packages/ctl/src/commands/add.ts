import { Faults } from '@tsupervisor/protocol';
import { Exit, isFault } from '../render/faults.js';
import { splitWords } from '../namespec.js';
import type { Command } from './types.js';

export const command: Command = {
  name: 'add',
  help: 'add <name> [...]\tActivates any updates in config for process/group',
  async run(ctl, { arg }) {
    for (const name of splitWords(arg)) {
      try {
        await (await ctl.rpc()).call('supervisor.addProcessGroup', { name });
      } catch (err) {
        if (isFault(err, Faults.SHUTDOWN_STATE)) {
          ctl.output('ERROR: shutting down');
          ctl.exitstatus = Exit.GENERIC;
        } else if (isFault(err, Faults.ALREADY_ADDED)) {
          ctl.output('ERROR: process group already active');
        } else if (isFault(err, Faults.BAD_NAME)) {
          ctl.output(`ERROR: no such process/group: ${name}`);
          ctl.exitstatus = Exit.GENERIC;
        } else {
          ctl.exitstatus = Exit.GENERIC;
          throw err;
        }
        continue;
      }
      ctl.output(`${name}: added process group`);
    }
  },
};

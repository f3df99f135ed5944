import { Faults } from '@tsupervisor/protocol';
import { Exit, isFault } from '../render/faults.js';
import { splitWords } from '../namespec.js';
import type { Command } from './types.js';

export const command: Command = {
  name: 'remove',
  help: 'remove <name> [...]\tRemoves process/group from active config',
  async run(ctl, { arg }) {
    for (const name of splitWords(arg)) {
      try {
        await (await ctl.rpc()).call('supervisor.removeProcessGroup', { name });
      } catch (err) {
        ctl.exitstatus = Exit.GENERIC;
        if (isFault(err, Faults.STILL_RUNNING)) ctl.output(`ERROR: process/group still running: ${name}`);
        else if (isFault(err, Faults.BAD_NAME)) ctl.output(`ERROR: no such process/group: ${name}`);
        else throw err;
        continue;
      }
      ctl.output(`${name}: removed process group`);
    }
  },
};

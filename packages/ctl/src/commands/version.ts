import { Exit } from '../render/faults.js';
import type { Command } from './types.js';

export const command: Command = {
  name: 'version',
  help: 'version\t\t\tShow the version of the remote supervisord process',
  async run(ctl, { arg }) {
    if (arg) {
      ctl.output('Error: version accepts no arguments');
      ctl.exitstatus = Exit.GENERIC;
      ctl.output(command.help);
      return;
    }
    if (!(await ctl.upcheck())) return;
    ctl.output(await (await ctl.rpc()).call('supervisor.getSupervisorVersion'));
  },
};

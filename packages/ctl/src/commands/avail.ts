import { Faults } from '@tsupervisor/protocol';
import { Exit, isFault } from '../render/faults.js';
import { availLine, availOrder } from '../render/avail.js';
import { jsonText } from '../render/json.js';
import type { Command } from './types.js';

export const command: Command = {
  name: 'avail',
  help: 'avail\t\t\tDisplay all configured processes',
  async run(ctl, { arg, json }) {
    if (arg) {
      ctl.output('Error: avail accepts no arguments');
      ctl.exitstatus = Exit.GENERIC;
      ctl.output(command.help);
      return;
    }
    let infos;
    try {
      infos = availOrder(await (await ctl.rpc()).call('supervisor.getAllConfigInfo'));
    } catch (err) {
      ctl.exitstatus = Exit.GENERIC;
      if (!isFault(err, Faults.SHUTDOWN_STATE)) throw err;
      ctl.output('ERROR: supervisor shutting down');
      return;
    }
    if (json) {
      const rows = infos.map(({ name, group, inuse, autostart, group_prio, process_prio }) => ({
        name, group, inuse, autostart, group_prio, process_prio,
      }));
      ctl.output(jsonText(rows));
      return;
    }
    for (const info of infos) ctl.output(availLine(info));
  },
};

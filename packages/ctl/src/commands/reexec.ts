/**
 * `reexec` (tsupervisor, issue 14): the daemon executes its installed code again in the same
 * process; every program runs on. The daemon first checks that the code and the configuration
 * load: if not, it says why, nothing changes and the exit status is non-zero.
 */
import { Faults } from '@tsupervisor/protocol';
import { Exit, isFault } from '../render/faults.js';
import { closedByDaemon } from './closed.js';
import type { Command } from './types.js';

export const command: Command = {
  name: 'reexec',
  help: 'reexec \t\tRe-execute the remote supervisord in place, keeping every program running.',
  async run(ctl, { arg }) {
    if (arg) {
      ctl.output('Error: reexec accepts no arguments');
      ctl.exitstatus = Exit.GENERIC;
      ctl.output(command.help);
      return;
    }
    try {
      await (await ctl.rpc()).call('tsupervisor.reexec');
    } catch (err) {
      if (!closedByDaemon(err)) {
        ctl.exitstatus = Exit.GENERIC;
        if (isFault(err, Faults.CANT_REREAD)) {
          ctl.output(`ERROR: not re-executed: ${err.message}`);
          return;
        }
        if (!isFault(err, Faults.SHUTDOWN_STATE)) throw err;
        ctl.output('ERROR: already shutting down');
        return;
      }
    }
    ctl.forget();
    ctl.output('Re-executing supervisord');
  },
};

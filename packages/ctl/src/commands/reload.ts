import { Faults } from '@tsupervisor/protocol';
import { Exit, isFault } from '../render/faults.js';
import { confirm } from './confirm.js';
import { closedByDaemon } from './closed.js';
import type { Command } from './types.js';

export const command: Command = {
  name: 'reload',
  help: 'reload \t\tRestart the remote supervisord.',
  async run(ctl, { arg }) {
    if (arg) {
      ctl.output('Error: reload accepts no arguments');
      ctl.exitstatus = Exit.GENERIC;
      ctl.output(command.help);
      return;
    }
    if (ctl.settings.interactive && !(await confirm(ctl, 'Really restart the remote supervisord process y/N? ', 1027))) return;
    try {
      await (await ctl.rpc()).call('supervisor.restart');
    } catch (err) {
      if (!closedByDaemon(err)) {
        ctl.exitstatus = Exit.GENERIC;
        // tsupervisord reads the configuration before restarting: a bad one is refused and
        // everything keeps running (supervisord would stop everything and exit).
        if (isFault(err, Faults.CANT_REREAD)) {
          ctl.output(`ERROR: ${err.message}`);
          return;
        }
        if (!isFault(err, Faults.SHUTDOWN_STATE)) throw err;
        ctl.output('ERROR: already shutting down');
        return;
      }
    }
    ctl.forget();
    ctl.output('Restarted supervisord');
  },
};

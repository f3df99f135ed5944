import { Faults } from '@tsupervisor/protocol';
import { ConnectError, Exit, isFault } from '../render/faults.js';
import { closedByDaemon } from './closed.js';
import { confirm } from './confirm.js';
import type { Command } from './types.js';

export const command: Command = {
  name: 'shutdown',
  help: 'shutdown \tShut the remote supervisord down.',
  async run(ctl, { arg }) {
    if (arg) {
      ctl.output('Error: shutdown accepts no arguments');
      ctl.exitstatus = Exit.GENERIC;
      ctl.output(command.help);
      return;
    }
    if (ctl.settings.interactive && !(await confirm(ctl, 'Really shut the remote supervisord process down y/N? ', 987))) {
      return;
    }
    const url = ctl.settings.serverurl;
    try {
      await (await ctl.rpc()).call('supervisor.shutdown');
    } catch (err) {
      if (isFault(err, Faults.SHUTDOWN_STATE)) {
        ctl.output('ERROR: already shutting down');
        return;
      }
      if (err instanceof ConnectError && (err.code === 'ECONNREFUSED' || err.code === 'ENOENT')) {
        ctl.exitstatus = Exit.GENERIC;
        const what = err.code === 'ECONNREFUSED' ? 'refused connection' : 'no such file';
        ctl.output(`ERROR: ${url} ${what} (already shut down?)`);
        return;
      }
      if (!closedByDaemon(err)) {
        ctl.exitstatus = Exit.GENERIC;
        throw err;
      }
    }
    ctl.forget();
    ctl.output('Shut down');
  },
};

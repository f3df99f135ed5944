import { Exit } from '../render/faults.js';
import { status } from './status.js';
import type { Command } from './types.js';

export const command: Command = {
  name: 'open',
  help: 'open <url>\tConnect to a remote supervisord process.\n\t\t(for UNIX domain socket, use unix:///socket/path)',
  /** Switches server and shows its status; the exit status is left as it was. */
  async run(ctl, { arg }) {
    const url = arg.trim();
    const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(url)?.[1].toLowerCase();
    if (scheme !== 'unix' && scheme !== 'http') {
      ctl.output('ERROR: url must be http:// or unix://');
      ctl.exitstatus = Exit.GENERIC;
      return;
    }
    ctl.settings.serverurl = url;
    ctl.forget();
    const before = ctl.exitstatus;
    await status(ctl, { arg: '', json: false });
    ctl.exitstatus = before;
  },
};

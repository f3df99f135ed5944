import { Exit } from '../faults.js';
import { splitWords } from '../namespec.js';
import { Reporter } from './report.js';
import { start } from './start.js';
import { stop } from './stop.js';
import type { Command } from './types.js';

export const command: Command = {
  name: 'restart',
  help: [
    'restart <name>\t\tRestart a process',
    'restart <gname>:*\tRestart all processes in a group',
    'restart <name> <name>\tRestart multiple processes or groups',
    'restart all\t\tRestart all processes',
    'Note: restart does not reread config files. For that, see reread and update.',
  ].join('\n'),
  /** Client-side stop then start, as supervisorctl does (no reread). */
  async run(ctl, { arg, json }) {
    if (!(await ctl.upcheck())) return;
    if (splitWords(arg).length === 0) {
      ctl.output('Error: restart requires a process name');
      ctl.exitstatus = Exit.GENERIC;
      ctl.output(command.help);
      return;
    }
    const reporter = new Reporter(ctl, json);
    await stop(ctl, arg, reporter);
    await start(ctl, arg, reporter);
    reporter.flush();
  },
};

/**
 * `top [-f]` (a tsupervisorctl extension, like `pm2 monit`): a live full-screen view of every
 * process with its state, pid, uptime, CPU, memory, restarts and readiness, the fcgi pools'
 * accept queues and the selected process's log (ctl/src/top/). When stdout is not a terminal it
 * prints one snapshot (with -f, then a line per state change). Loaded only for `top`.
 */
import { wantColour } from '../render/color.js';
import { splitWords } from '../namespec.js';
import { Exit } from '../render/faults.js';
import type { Command } from './types.js';

export const command: Command = {
  name: 'top',
  help: [
    'top\t\t\tA live view of every process: state, pid, uptime, CPU, memory,',
    '\t\t\trestarts, readiness, fcgi accept queues and the selected log.',
    '\t\t\tKeys: arrows select, 1-8 sort, / filter, s start, x stop,',
    '\t\t\tr restart, K signal, c clear, g group, A stop all, q quit.',
    'top -f\t\t\tWithout a terminal: the table, then a line per state change.',
  ].join('\n'),
  async run(ctl, { arg }) {
    const words = splitWords(arg);
    const follow = words.includes('-f');
    if (words.some((w) => w !== '-f')) {
      ctl.output(command.help);
      ctl.exitstatus = Exit.INVALID_ARGS;
      return;
    }
    if (!(await ctl.upcheck())) return;
    const terminal = Boolean(process.stdout.isTTY && process.stdin.isTTY) && ctl.input === null;
    const colour = wantColour(ctl.settings.color, Boolean(process.stdout.isTTY), process.env);
    if (!terminal) {
      const { runPlain } = await import('../top/index.js');
      return void (await runPlain(ctl, colour, follow));
    }
    const { runScreen } = await import('../top/index.js');
    const identification = await (await ctl.rpc()).call('supervisor.getIdentification');
    await runScreen(ctl, colour, `tsupervisor top: ${identification} (${ctl.settings.serverurl})`);
  },
};

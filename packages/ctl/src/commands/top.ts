/**
 * `top [-f]` (a tsupervisorctl extension, like `pm2 monit`): a live full-screen view of every
 * process with its state, pid, uptime, CPU, memory, restarts and readiness, the fcgi pools'
 * accept queues and the selected process's log (ctl/src/top/). When stdout is not a terminal it
 * prints one snapshot (with -f, then a line per state change). Over several servers (fleet/run.ts
 * calls runTop with its nodes) the same view gains a node column. Loaded only for `top`.
 */
import type { Ctl } from '../ctl.js';
import { wantColour } from '../render/color.js';
import { splitWords } from '../namespec.js';
import { Exit } from '../render/faults.js';
import type { TopNode } from '../top/feeds.js';
import type { Command } from './types.js';

export const command: Command = {
  name: 'top',
  help: [
    'top\t\t\tA live view of every process: state, pid, uptime, CPU, memory,',
    '\t\t\trestarts, readiness, fcgi accept queues and the selected log.',
    '\t\t\tKeys: arrows select, 1-8 sort, / filter, s start, x stop,',
    '\t\t\tr restart, K signal, c clear, g group, A stop all, q quit.',
    '\t\t\tOver several servers (-s repeated, --targets): a NODE column,',
    '\t\t\tkeys act on the selected row\'s node, a silent node shown DOWN.',
    'top -f\t\t\tWithout a terminal: the table, then a line per state change.',
  ].join('\n'),
  async run(ctl, { arg }) {
    await runTop(ctl, [{ label: '', ctl, answered: Promise.resolve(null) }], arg, null);
  },
};

/**
 * `top` over `nodes`, its lines and exit status on `console` (the only node's Ctl with one
 * server). `title` null: the server's identification and URL.
 */
export async function runTop(console: Ctl, nodes: readonly TopNode[], arg: string, title: string | null): Promise<void> {
  const words = splitWords(arg);
  const follow = words.includes('-f');
  if (words.some((w) => w !== '-f')) {
    console.output(command.help);
    console.exitstatus = Exit.INVALID_ARGS;
    return;
  }
  if (nodes.length === 1 && !(await nodes[0]!.ctl.upcheck())) return;
  const terminal = Boolean(process.stdout.isTTY && process.stdin.isTTY) && console.input === null;
  const colour = wantColour(console.settings.color, Boolean(process.stdout.isTTY), process.env);
  if (!terminal) {
    const { runPlain } = await import('../top/index.js');
    return void (await runPlain(nodes, console, colour, follow));
  }
  const { runScreen } = await import('../top/index.js');
  if (title === null) {
    const only = nodes[0]!.ctl;
    title = `tsupervisor top: ${await (await only.rpc()).call('supervisor.getIdentification')} (${only.settings.serverurl})`;
  }
  await runScreen(nodes, colour, title);
}

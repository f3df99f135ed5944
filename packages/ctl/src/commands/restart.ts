import { Faults } from '@tsupervisor/protocol';
import type { Ctl } from '../ctl.js';
import { Exit, exitAfterResult, isFault, startResultText } from '../render/faults.js';
import { makeNamespec, splitWords } from '../namespec.js';
import { rollingSummary } from '../render/plan.js';
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
    const words = splitWords(arg);
    if (words.includes('--rolling')) {
      await rolling(ctl, words.filter((w) => w !== '--rolling'), json);
      return;
    }
    if (words.length === 0) {
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

/**
 * `restart --rolling <names>` (tsupervisor): the daemon replaces the processes one at a time,
 * each RUNNING before the next is stopped; the first failure ends it (exit status as `start`).
 */
async function rolling(ctl: Ctl, names: string[], json: boolean): Promise<void> {
  if (names.length === 0) {
    ctl.output('Error: restart requires a process name');
    ctl.exitstatus = Exit.GENERIC;
    ctl.output(command.help);
    return;
  }
  let result;
  try {
    result = await (await ctl.rpc()).call('tsupervisor.rollingRestart', { names });
  } catch (err) {
    if (!isFault(err, Faults.BAD_NAME)) throw err;
    ctl.output(`${err.detail}: ERROR (no such process)`);
    ctl.exitstatus = Exit.INVALID_ARGS;
    return;
  }
  const reporter = new Reporter(ctl, json);
  for (const step of result.steps) {
    const outcome = { name: step.name, group: step.group, status: step.status, description: step.description };
    if (step.stopped) reporter.add('stop', { ...outcome, status: Faults.SUCCESS }, `${makeNamespec(step.group, step.name)}: stopped`);
    reporter.add('start', outcome, startResultText(outcome));
    ctl.exitstatus = exitAfterResult(ctl.exitstatus, step.status);
  }
  const summary = rollingSummary(result);
  if (summary !== null && !json) ctl.output(summary);
  reporter.flush();
}

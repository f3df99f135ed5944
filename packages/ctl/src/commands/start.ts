import { Faults } from '@tsupervisor/protocol';
import type { Ctl } from '../ctl.js';
import { Exit, exitAfterResult, faultOutcome, isFault, startResultText } from '../render/faults.js';
import { makeNamespec, splitNamespec, splitWords } from '../namespec.js';
import { Reporter, noSuchGroup } from './report.js';
import type { Command } from './types.js';

export const command: Command = {
  name: 'start',
  help: [
    'start <name>\t\tStart a process',
    'start <gname>:*\t\tStart all processes in a group',
    'start <name> <name>\tStart multiple processes or groups',
    'start all\t\tStart all processes',
  ].join('\n'),
  async run(ctl, { arg, json }) {
    const reporter = new Reporter(ctl, json);
    await start(ctl, arg, reporter);
    reporter.flush();
  },
};

/** supervisorctl's do_start: `all`, whole groups, single processes; ALREADY_STARTED is not an error. */
export async function start(ctl: Ctl, arg: string, reporter: Reporter): Promise<void> {
  if (!(await ctl.upcheck())) return;
  const names = splitWords(arg);
  const rpc = await ctl.rpc();
  if (names.length === 0) {
    ctl.output('Error: start requires a process name');
    ctl.exitstatus = Exit.INVALID_ARGS;
    ctl.output(command.help);
    return;
  }
  const report = (outcome: Parameters<Reporter['add']>[1]) => {
    reporter.add('start', outcome, startResultText(outcome));
    ctl.exitstatus = exitAfterResult(ctl.exitstatus, outcome.status, Faults.ALREADY_STARTED);
  };
  if (names.includes('all')) {
    for (const result of await rpc.call('supervisor.startAllProcesses', {})) report(result);
    return;
  }
  for (const name of names) {
    const [group, process] = splitNamespec(name);
    if (process === null) {
      try {
        for (const result of await rpc.call('supervisor.startProcessGroup', { name: group })) report(result);
      } catch (err) {
        if (!isFault(err, Faults.BAD_NAME)) {
          ctl.exitstatus = Exit.GENERIC;
          throw err;
        }
        reporter.add('start', noSuchGroup(group), `${group}: ERROR (no such group)`);
        ctl.exitstatus = Exit.INVALID_ARGS;
      }
      continue;
    }
    try {
      await rpc.call('supervisor.startProcess', { name });
    } catch (err) {
      if (!isFault(err)) throw err;
      report(faultOutcome(err, group, process));
      continue;
    }
    const outcome = { name: process, group, status: Faults.SUCCESS, description: '' };
    reporter.add('start', outcome, `${makeNamespec(group, process)}: started`);
  }
}

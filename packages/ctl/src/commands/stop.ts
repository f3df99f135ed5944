import { Faults } from '@tsupervisor/protocol';
import type { Ctl } from '../ctl.js';
import { Exit, type Outcome, exitAfterResult, faultOutcome, isFault, signalResultText } from '../render/faults.js';
import { makeNamespec, splitNamespec, splitWords } from '../namespec.js';
import { Reporter, noSuchGroup } from './report.js';
import type { Command } from './types.js';

export const command: Command = {
  name: 'stop',
  help: [
    'stop <name>\t\tStop a process',
    'stop <gname>:*\t\tStop all processes in a group',
    'stop <name> <name>\tStop multiple processes or groups',
    'stop all\t\tStop all processes',
  ].join('\n'),
  async run(ctl, { arg, json }) {
    const reporter = new Reporter(ctl, json);
    await stop(ctl, arg, reporter);
    reporter.flush();
  },
};

/** supervisorctl's do_stop: `all`, whole groups, single processes; NOT_RUNNING is not an error. */
export async function stop(ctl: Ctl, arg: string, reporter: Reporter): Promise<void> {
  if (!(await ctl.upcheck())) return;
  const names = splitWords(arg);
  const rpc = await ctl.rpc();
  if (names.length === 0) {
    ctl.output('Error: stop requires a process name');
    ctl.exitstatus = Exit.GENERIC;
    ctl.output(command.help);
    return;
  }
  const report = (outcome: Outcome) => {
    reporter.add('stop', outcome, signalResultText(outcome, 'stopped'));
    ctl.exitstatus = exitAfterResult(ctl.exitstatus, outcome.status, Faults.NOT_RUNNING);
  };
  if (names.includes('all')) {
    for (const result of await rpc.call('supervisor.stopAllProcesses', {})) report(result);
    return;
  }
  for (const name of names) {
    const [group, process] = splitNamespec(name);
    if (process === null) {
      try {
        for (const result of await rpc.call('supervisor.stopProcessGroup', { name: group })) report(result);
      } catch (err) {
        ctl.exitstatus = Exit.GENERIC;
        if (!isFault(err, Faults.BAD_NAME)) throw err;
        reporter.add('stop', noSuchGroup(group), `${group}: ERROR (no such group)`);
      }
      continue;
    }
    try {
      await rpc.call('supervisor.stopProcess', { name });
    } catch (err) {
      if (!isFault(err)) throw err;
      report(faultOutcome(err, group, process));
      continue;
    }
    const outcome = { name: process, group, status: Faults.SUCCESS, description: '' };
    reporter.add('stop', outcome, `${makeNamespec(group, process)}: stopped`);
  }
}

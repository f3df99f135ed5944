import { Faults } from '@tsupervisor/protocol';
import { Exit, type Outcome, exitAfterResult, faultOutcome, isFault, signalResultText } from '../render/faults.js';
import { makeNamespec, splitNamespec, splitWords } from '../namespec.js';
import { Reporter, noSuchGroup } from './report.js';
import type { Command } from './types.js';

export const command: Command = {
  name: 'signal',
  help: [
    'signal <signal name> <name>\t\tSignal a process',
    'signal <signal name> <gname>:*\t\tSignal all processes in a group',
    'signal <signal name> <name> <name>\tSignal multiple processes or groups',
    'signal <signal name> all\t\tSignal all processes',
  ].join('\n'),
  async run(ctl, { arg, json }) {
    if (!(await ctl.upcheck())) return;
    const args = splitWords(arg);
    if (args.length < 2) {
      ctl.output('Error: signal requires a signal name and a process name');
      ctl.output(command.help);
      ctl.exitstatus = Exit.GENERIC;
      return;
    }
    const [signal, ...names] = args;
    const rpc = await ctl.rpc();
    const reporter = new Reporter(ctl, json);
    const report = (outcome: Outcome) => {
      reporter.add('signal', outcome, signalResultText(outcome));
      ctl.exitstatus = exitAfterResult(ctl.exitstatus, outcome.status);
    };
    if (names.includes('all')) {
      for (const result of await rpc.call('supervisor.signalAllProcesses', { signal })) report(result);
      reporter.flush();
      return;
    }
    for (const name of names) {
      const [group, process] = splitNamespec(name);
      if (process === null) {
        try {
          for (const result of await rpc.call('supervisor.signalProcessGroup', { name: group, signal })) report(result);
        } catch (err) {
          if (!isFault(err, Faults.BAD_NAME)) throw err;
          reporter.add('signal', noSuchGroup(group), `${group}: ERROR (no such group)`);
          ctl.exitstatus = Exit.GENERIC;
        }
        continue;
      }
      try {
        await rpc.call('supervisor.signalProcess', { name, signal });
      } catch (err) {
        if (!isFault(err)) throw err;
        report(faultOutcome(err, group, process));
        continue;
      }
      const outcome = { name: process, group, status: Faults.SUCCESS, description: '' };
      reporter.add('signal', outcome, `${makeNamespec(group, process)}: signalled`);
    }
    reporter.flush();
  },
};

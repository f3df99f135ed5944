import { Faults } from '@tsupervisor/protocol';
import { Exit, type Outcome, clearResultText, exitAfterResult, faultOutcome, isFault } from '../render/faults.js';
import { makeNamespec, splitNamespec, splitWords } from '../namespec.js';
import type { Command } from './types.js';

export const command: Command = {
  name: 'clear',
  help: [
    "clear <name>\t\tClear a process' log files.",
    "clear <name> <name>\tClear multiple process' log files",
    "clear all\t\tClear all process' log files",
  ].join('\n'),
  async run(ctl, { arg }) {
    if (!(await ctl.upcheck())) return;
    const names = splitWords(arg);
    if (names.length === 0) {
      ctl.output('Error: clear requires a process name');
      ctl.exitstatus = Exit.GENERIC;
      ctl.output(command.help);
      return;
    }
    const rpc = await ctl.rpc();
    const report = (outcome: Outcome) => {
      ctl.output(clearResultText(outcome));
      ctl.exitstatus = exitAfterResult(ctl.exitstatus, outcome.status);
    };
    if (names.includes('all')) {
      for (const result of await rpc.call('supervisor.clearAllProcessLogs')) report(result);
      return;
    }
    for (const name of names) {
      const [group, process] = splitNamespec(name);
      try {
        await rpc.call('supervisor.clearProcessLogs', { name });
      } catch (err) {
        if (!isFault(err)) throw err;
        report(faultOutcome(err, group, process));
        continue;
      }
      ctl.output(`${makeNamespec(group, process)}: cleared`);
    }
  },
};

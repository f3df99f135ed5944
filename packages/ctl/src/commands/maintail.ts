import { Faults } from '@tsupervisor/protocol';
import { Exit, isFault, viaXmlRpc } from '../render/faults.js';
import { rawSink } from '../follow.js';
import { splitWords } from '../namespec.js';
import { follow } from './tail.js';
import type { Command } from './types.js';

export const command: Command = {
  name: 'maintail',
  help:
    'maintail -f \tContinuous tail of supervisor main log file (Ctrl-C to exit)\n' +
    'maintail -100\tlast 100 *bytes* of supervisord main log file\n' +
    'maintail\tlast 1600 *bytes* of supervisor main log file\n',
  async run(ctl, { arg }) {
    if (!(await ctl.upcheck())) return;
    const args = splitWords(arg);
    let bytes = 1600;
    if (args.length > 1) {
      ctl.output('Error: too many arguments');
      ctl.exitstatus = Exit.GENERIC;
      ctl.output(command.help);
      return;
    }
    if (args.length === 1) {
      const what = args[0].startsWith('-') ? args[0].slice(1).trim() : null;
      if (what === 'f') {
        ctl.output('==> Press Ctrl-C to exit <==');
        const sink = rawSink((text) => ctl.out.write(text));
        await follow(ctl, { names: [], channel: 'stdout', main: true }, sink, '/mainlogtail');
        return;
      }
      if (what === null || !/^[+-]?\d+(_\d+)*$/.test(what)) {
        ctl.output(`Error: bad argument ${args[0]}`);
        ctl.exitstatus = Exit.GENERIC;
        return;
      }
      bytes = Number(what.replace(/_/g, ''));
    }
    let output: string;
    try {
      output = await (await ctl.rpc()).call('supervisor.readLog', { offset: -bytes, length: 0 });
    } catch (err) {
      ctl.exitstatus = Exit.GENERIC;
      if (isFault(err, Faults.NO_FILE)) ctl.output('supervisord: ERROR (no log file)');
      else if (isFault(err, Faults.FAILED)) ctl.output(`supervisord: ERROR (${err.detail || 'unknown error reading log'})`);
      else throw err;
      return;
    }
    ctl.output(viaXmlRpc(output));
  },
};

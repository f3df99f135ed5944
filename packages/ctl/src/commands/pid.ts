import { Faults } from '@tsupervisor/protocol';
import { Exit, isFault } from '../render/faults.js';
import { makeNamespec, splitWords } from '../namespec.js';
import { jsonText } from '../render/json.js';
import type { Command } from './types.js';

export const command: Command = {
  name: 'pid',
  help: [
    'pid\t\t\tGet the PID of supervisord.',
    'pid <name>\t\tGet the PID of a single child process by name.',
    'pid all\t\t\tGet the PID of every child process, one per line.',
  ].join('\n'),
  /** supervisord's pid, or children's (0 when not running: exit 7). */
  async run(ctl, { arg, json }) {
    if (!(await ctl.upcheck())) return;
    const rpc = await ctl.rpc();
    const names = splitWords(arg);
    if (names.length === 0) {
      const pid = await rpc.call('supervisor.getPID');
      ctl.output(json ? jsonText({ pid }) : String(pid));
      return;
    }
    const found: Array<{ name: string; group: string; process: string; pid: number }> = [];
    const add = (info: { name: string; group: string; pid: number }) => {
      if (json) found.push({ name: makeNamespec(info.group, info.name), group: info.group, process: info.name, pid: info.pid });
      else ctl.output(String(info.pid));
    };
    if (names.includes('all')) {
      for (const info of await rpc.call('supervisor.getAllProcessInfo')) add(info);
    } else {
      for (const name of names) {
        let info;
        try {
          info = await rpc.call('supervisor.getProcessInfo', { name });
        } catch (err) {
          ctl.exitstatus = Exit.GENERIC;
          if (!isFault(err, Faults.BAD_NAME)) throw err;
          if (json) ctl.outputError(`No such process ${name}`);
          else ctl.output(`No such process ${name}`);
          continue;
        }
        add(info);
        if (info.pid === 0) ctl.exitstatus = Exit.NOT_RUNNING;
      }
    }
    if (json) ctl.output(jsonText(found));
  },
};

import { topicsText } from '../render/help.js';
import { findCommand, listedNames } from './index.js';
import type { Command } from './types.js';

export const command: Command = {
  name: 'help',
  help: 'help\t\tPrint a list of available actions\nhelp <action>\tPrint help for <action>',
  async run(ctl, { arg }) {
    if (arg.trim() === 'help') {
      ctl.output(command.help);
      return;
    }
    if (arg) {
      const entry = findCommand(arg);
      if (entry && entry.name !== 'EOF') ctl.output((await entry.load()).help);
      else ctl.output(`*** No help on ${arg}`);
      return;
    }
    ctl.output(topicsText(listedNames()));
  },
};

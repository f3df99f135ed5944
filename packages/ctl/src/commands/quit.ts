import type { Command } from './types.js';

export const command: Command = {
  name: 'quit',
  help: 'quit\tExit the supervisor shell.',
  async run(ctl) {
    ctl.output('');
    return true;
  },
};

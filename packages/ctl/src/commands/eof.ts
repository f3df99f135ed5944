import type { Command } from './types.js';

/** Controller.do_EOF: what Ctrl-D at the prompt runs (also `supervisorctl EOF`). */
export const command: Command = {
  name: 'EOF',
  help: 'To quit, type ^D or use the quit command',
  async run(ctl) {
    ctl.output('');
    return true;
  },
};

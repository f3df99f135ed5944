import { command as quit } from './quit.js';
import type { Command } from './types.js';

export const command: Command = {
  name: 'exit',
  help: 'exit\tExit the supervisor shell.',
  run: quit.run,
};

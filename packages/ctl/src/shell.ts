/**
 * The interactive shell (no command, or `-i`): `status` first, then `prompt> ` with line
 * editing, history (saved to history_file) and tab completion, until EOF, quit/exit or Ctrl-C.
 * It runs the same command table as one-shot mode; its exit status is always 0.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { complete, currentWord } from './complete.js';
import type { Ctl } from './ctl.js';
import { onecmd } from './dispatch.js';
import { INTERRUPT, LineInput } from './input.js';

export async function runShell(ctl: Ctl): Promise<void> {
  const historyFile = ctl.settings.historyFile;
  const input = new LineInput({
    terminal: true,
    history: historyFile ? readHistory(historyFile) : [],
    completer: async (line) => {
      const matches = await complete(line, () => ctl.completionInfo());
      return [matches.length === 1 ? matches : matches.map((m) => m.trimEnd()), currentWord(line)];
    },
  });
  ctl.input = input;
  const leave = () => {
    if (historyFile) writeHistory(historyFile, input.history());
  };
  // Ctrl-C: ends a pending read (the prompt), else the running command's wait (tail -f, fg),
  // else it ends the shell, as a KeyboardInterrupt ends supervisorctl's cmdloop.
  ctl.ownSigint();
  process.on('SIGINT', () => {
    if (input.interrupt() || ctl.interrupt()) return;
    ctl.output('');
    leave();
    process.exit(0);
  });
  try {
    await onecmd(ctl, 'status');
    for (;;) {
      const line = await input.read(`${ctl.settings.prompt}> `);
      if (line === INTERRUPT) {
        ctl.output('');
        break;
      }
      if (await onecmd(ctl, line ?? 'EOF')) break;
    }
  } finally {
    leave();
  }
}

/** GNU readline's history file: one entry a line, oldest first. */
function readHistory(file: string): string[] {
  try {
    return readFileSync(file, 'utf8').split('\n').filter((l) => l !== '');
  } catch {
    return [];
  }
}

function writeHistory(file: string, lines: string[]): void {
  try {
    writeFileSync(file, lines.map((l) => `${l}\n`).join(''));
  } catch {
    /* like supervisorctl: an unwritable history file is ignored */
  }
}

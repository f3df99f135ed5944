/** The parts every command file exports (one command table for one-shot and shell modes). */
import type { Ctl } from '../ctl.js';

export interface Invocation {
  /** The rest of the line after the verb, stripped (Python cmd's `arg`). */
  arg: string;
  /** `--json` given globally or among the words (commands that support it). */
  json: boolean;
}

export interface Command {
  name: string;
  /** supervisorctl's help text for `help <name>`, printed as one output() call. */
  help: string;
  /** Runs the command; true ends the interactive shell (quit, exit, EOF). */
  run(ctl: Ctl, inv: Invocation): Promise<boolean | void>;
}

/** What a command's arguments complete to in the shell (Controller.complete). */
export type Completes = 'processes' | 'groups' | 'actions' | null;

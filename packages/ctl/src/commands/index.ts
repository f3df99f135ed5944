/**
 * The command table: names, what their arguments complete to, whether `help` lists them, and a
 * lazy loader, so a run imports only its own command's code.
 */
import type { Command, Completes } from './types.js';

export interface CommandEntry {
  name: string;
  completes: Completes;
  /** Listed by `help` (supervisorctl's documented commands); extensions are not. */
  listed: boolean;
  /** Accepts `--json`. */
  json: boolean;
  load(): Promise<Command>;
}

function entry(
  name: string,
  completes: Completes,
  load: () => Promise<{ command: Command }>,
  { listed = true, json = false } = {},
): CommandEntry {
  return { name, completes, listed, json, load: async () => (await load()).command };
}

export const COMMANDS: readonly CommandEntry[] = [
  entry('add', 'groups', () => import('./add.js')),
  entry('avail', null, () => import('./avail.js'), { json: true }),
  entry('clear', 'processes', () => import('./clear.js')),
  entry('events', null, () => import('./events.js'), { listed: false, json: true }),
  entry('exit', null, () => import('./exit.js')),
  entry('fg', 'processes', () => import('./fg.js')),
  entry('help', 'actions', () => import('./help.js'), { listed: false }),
  entry('maintail', null, () => import('./maintail.js')),
  entry('open', null, () => import('./open.js')),
  entry('pid', 'processes', () => import('./pid.js'), { json: true }),
  entry('quit', null, () => import('./quit.js')),
  entry('reexec', null, () => import('./reexec.js'), { listed: false }),
  entry('reload', null, () => import('./reload.js')),
  entry('remove', 'groups', () => import('./remove.js')),
  entry('reread', null, () => import('./reread.js'), { json: true }),
  entry('restart', 'processes', () => import('./restart.js'), { json: true }),
  entry('shutdown', null, () => import('./shutdown.js')),
  entry('signal', 'processes', () => import('./signal.js'), { json: true }),
  entry('start', 'processes', () => import('./start.js'), { json: true }),
  entry('status', 'processes', () => import('./status.js'), { json: true }),
  entry('stop', 'processes', () => import('./stop.js'), { json: true }),
  entry('tail', 'processes', () => import('./tail.js')),
  entry('top', null, () => import('./top.js'), { listed: false }),
  entry('update', 'groups', () => import('./update.js'), { json: true }),
  entry('version', null, () => import('./version.js')),
  entry('wait', 'processes', () => import('./wait.js'), { listed: false }),
  entry('EOF', null, () => import('./eof.js'), { listed: false }),
  entry('completion', null, () => import('./completion.js'), { listed: false }),
];

export function findCommand(name: string): CommandEntry | undefined {
  return COMMANDS.find((c) => c.name === name);
}

/** Names `help` lists, as supervisorctl 4.2.5 does. */
export function listedNames(): string[] {
  return COMMANDS.filter((c) => c.listed).map((c) => c.name);
}

/** Names tab completion offers for the first word (Controller.vocab, without EOF). */
export function vocabulary(): string[] {
  return COMMANDS.filter((c) => c.name !== 'EOF' && c.name !== 'completion').map((c) => c.name);
}

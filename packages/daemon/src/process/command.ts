/**
 * Resolves a process's command to the file to exec, as supervisor's get_execv_args does before
 * every spawn, so `start` can answer NO_FILE / NOT_EXECUTABLE instead of a failed exec.
 */
import { accessSync, constants, statSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { Faults, RPCFault } from '@tsupervisor/protocol';

export interface ResolvedCommand {
  filename: string;
  argv: string[];
}

export function searchPath(environment: Record<string, string>): string[] {
  const path = environment['PATH'] ?? process.env['PATH'] ?? '/bin:/usr/bin:/usr/local/bin';
  return path.split(':').filter(Boolean);
}

function tryStat(path: string): Stats | null {
  try {
    // no exception for a PATH entry without it (most of them): an Error and its stack each
    return statSync(path, { throwIfNoEntry: false }) ?? null;
  } catch {
    return null;
  }
}

/**
 * Commands resolved in this turn of the event loop, by name and PATH: a start that spawns
 * hundreds of programs in one turn (autostart, `start all`) looks each name up once, not once
 * per spawn (with 8 PATH entries before /usr/bin, 5,000 spawns of `sleep` cost ~0.8 s of
 * stat(2)). Only successes are kept, and only until the turn ends, so a command installed or
 * removed since is seen at the next spawn as supervisor sees it.
 */
const resolved = new Map<string, string>();

function remember(key: string, filename: string): void {
  if (resolved.size === 0) setImmediate(() => resolved.clear());
  resolved.set(key, filename);
}

/** Throws RPCFault NO_FILE / NOT_EXECUTABLE with supervisor's texts. */
export function resolveCommand(argv: string[], environment: Record<string, string>, commandError?: string | null): ResolvedCommand {
  if (commandError) throw new RPCFault(Faults.NOT_EXECUTABLE, commandError);
  if (argv.length === 0) throw new RPCFault(Faults.NOT_EXECUTABLE, 'command is empty');
  const program = argv[0];
  const key = `${program}\u0000${environment['PATH'] ?? process.env['PATH'] ?? ''}`;
  const known = resolved.get(key);
  if (known !== undefined) return { filename: known, argv };
  let filename = program;
  let st: Stats | null = null;
  if (program.includes('/')) {
    st = tryStat(program);
  } else {
    for (const dir of searchPath(environment)) {
      const candidate = join(dir, program);
      st = tryStat(candidate);
      if (st) {
        filename = candidate;
        break;
      }
    }
  }
  if (!st) throw new RPCFault(Faults.NO_FILE, `can't find command '${filename}'`);
  if (st.isDirectory()) throw new RPCFault(Faults.NOT_EXECUTABLE, `command at '${filename}' is a directory`);
  if ((st.mode & 0o111) === 0) throw new RPCFault(Faults.NOT_EXECUTABLE, `command at '${filename}' is not executable`);
  try {
    accessSync(filename, constants.X_OK);
  } catch {
    throw new RPCFault(Faults.NOT_EXECUTABLE, `no permission to run command '${filename}'`);
  }
  remember(key, filename);
  return { filename, argv };
}

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
    return statSync(path);
  } catch {
    return null;
  }
}

/** Throws RPCFault NO_FILE / NOT_EXECUTABLE with supervisor's texts. */
export function resolveCommand(argv: string[], environment: Record<string, string>, commandError?: string | null): ResolvedCommand {
  if (commandError) throw new RPCFault(Faults.NOT_EXECUTABLE, commandError);
  if (argv.length === 0) throw new RPCFault(Faults.NOT_EXECUTABLE, 'command is empty');
  const program = argv[0];
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
  return { filename, argv };
}

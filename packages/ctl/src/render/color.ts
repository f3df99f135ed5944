/**
 * Colours for process states (a tsupervisorctl extension): RUNNING green, STARTING/STOPPING
 * yellow, FATAL/BACKOFF red, STOPPED/EXITED dim. Only the state word is coloured, so column
 * widths stay as supervisorctl's. chalk is imported only when colour is on.
 */

export type Painter = (statename: string, text: string) => string;
export type StateColour = 'green' | 'yellow' | 'red' | 'dim';

export function stateColour(statename: string): StateColour | null {
  switch (statename) {
    case 'RUNNING':
      return 'green';
    case 'STARTING':
    case 'STOPPING':
      return 'yellow';
    case 'FATAL':
    case 'BACKOFF':
      return 'red';
    case 'STOPPED':
    case 'EXITED':
      return 'dim';
    default:
      return null;
  }
}

/** `--color`/`--no-color` win; else colour a terminal unless NO_COLOR is set (no-color.org). */
export function wantColour(forced: boolean | null, isTTY: boolean, env: NodeJS.ProcessEnv): boolean {
  if (forced !== null) return forced;
  return isTTY && (env.NO_COLOR === undefined || env.NO_COLOR === '');
}

export async function loadPainter(): Promise<Painter> {
  const { Chalk } = await import('chalk');
  const chalk = new Chalk({ level: 1 });
  return (statename, text) => {
    const colour = stateColour(statename);
    return colour ? chalk[colour](text) : text;
  };
}

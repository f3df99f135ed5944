/**
 * How a start that cannot go on ends, in supervisord's words: usage-like refusals (bad command
 * line or configuration, another daemon on the socket, limits, user=) exit 2 with the help
 * line; anything else exits 1. A daemonized child tells its waiting parent first, so the
 * refusal reaches the terminal.
 */
import { reportToParent } from '../daemonize.js';
import { PrivilegeError } from '../privileges.js';
import { LimitError } from '../rlimits.js';
import { AlreadyRunning } from '../servers/control-server.js';

export const PROGRAM = 'tsupervisord';

/** Before the fork: the message and the help line on stderr. */
export function fail(message: string, code = 2): never {
  process.stderr.write(`Error: ${message}\nFor help, use ${PROGRAM} -h\n`);
  process.exit(code);
}

/** After the fork (or in the foreground): told to the parent, then to stderr. */
export function reportStartFailure(err: unknown): never {
  // supervisord reports these through usage(): exit 2, the help line follows.
  const usage = err instanceof AlreadyRunning || err instanceof LimitError || err instanceof PrivilegeError;
  const code = usage ? 2 : 1;
  const help = usage ? `For help, use ${PROGRAM} -h\n` : '';
  const message = `Error: ${(err as Error).message}\n${help}`;
  reportToParent({ ready: false, code, message });
  process.stderr.write(message);
  process.exit(code);
}

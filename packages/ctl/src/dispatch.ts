/**
 * One command line through the command table: Python cmd.Cmd's parseline, supervisorctl's
 * onecmd (unknown syntax, the catch-all error line, the 401 re-login), and `--json`.
 */
import { findCommand } from './commands/index.js';
import type { Ctl } from './ctl.js';
import { Exit, UNAUTHORIZED_LINE, eofError, UnsupportedUrl, isUnauthorized, unexpectedErrorLine } from './render/faults.js';
import { INTERRUPT } from './input.js';
import { splitWords } from './namespec.js';
import { NoAnswer, NotOurProtocol } from '@tsupervisor/protocol';

const IDENT = /^[A-Za-z0-9_]*/;

/** cmd.Cmd.parseline: `?x` is `help x`; the verb is the leading run of identifier characters. */
export function parseLine(input: string): { cmd: string | null; arg: string; line: string } {
  let line = input.trim();
  if (line === '') return { cmd: null, arg: '', line };
  if (line.startsWith('?')) line = `help ${line.slice(1)}`;
  else if (line.startsWith('!')) return { cmd: null, arg: '', line };
  const cmd = IDENT.exec(line)![0];
  return { cmd, arg: line.slice(cmd.length).trim(), line };
}

/** Runs one line; resolves true when the shell should end. */
export async function onecmd(ctl: Ctl, input: string): Promise<boolean> {
  const { cmd, arg, line } = parseLine(input);
  if (line === '') return false;
  ctl.resetCompletion();
  const entry = cmd ? findCommand(cmd) : undefined;
  if (!entry) {
    ctl.output(`*** Unknown syntax: ${line}`);
    ctl.exitstatus = Exit.GENERIC;
    return false;
  }
  let json = ctl.settings.json && entry.json;
  let rest = arg;
  if (entry.json) {
    const words = splitWords(arg);
    if (words.includes('--json')) {
      json = true;
      rest = words.filter((w) => w !== '--json').join(' ');
    }
  }
  const command = await entry.load();
  try {
    return (await command.run(ctl, { arg: rest, json })) === true;
  } catch (err) {
    if (isUnauthorized(err)) return relogin(ctl, input);
    if (err instanceof NoAnswer || err instanceof NotOurProtocol) {
      ctl.outputError(unexpectedErrorLine(err, ctl.settings.serverurl));
      ctl.exitstatus = Exit.GENERIC;
      return false;
    }
    if (err instanceof UnsupportedUrl) {
      ctl.outputError(err.message);
      ctl.exitstatus = Exit.INVALID_ARGS;
      return false;
    }
    ctl.output(unexpectedErrorLine(err, ctl.settings.serverurl));
    ctl.exitstatus = Exit.GENERIC;
    return false;
  }
}

/**
 * The server wants credentials. Interactive: ask for them and run the line again; one-shot:
 * supervisorctl prints the notice, retries once, and fails with the ProtocolError line.
 */
async function relogin(ctl: Ctl, input: string): Promise<boolean> {
  ctl.output('Server requires authentication');
  if (!ctl.settings.interactive) {
    ctl.output(UNAUTHORIZED_LINE);
    ctl.exitstatus = Exit.GENERIC;
    return false;
  }
  const username = await ctl.readLine('Username:');
  const password = typeof username === 'string' ? await ctl.readLine('Password:', true) : null;
  if (typeof username !== 'string' || typeof password !== 'string') {
    ctl.output(username === INTERRUPT || password === INTERRUPT ? '' : eofError(212).render());
    ctl.exitstatus = Exit.GENERIC;
    return false;
  }
  ctl.output('');
  ctl.settings.username = username;
  ctl.settings.password = password;
  ctl.forget();
  return onecmd(ctl, input);
}

import { Faults, type LogChannel } from '@tsupervisor/protocol';
import type { Ctl } from '../ctl.js';
import { Exit, isFault, pyRepr, viaXmlRpc } from '../render/faults.js';
import { type LogSink, prefixSink, rawSink, streamLogs } from '../follow.js';
import { splitNamespec, splitWords } from '../namespec.js';
import type { Command } from './types.js';

export const command: Command = {
  name: 'tail',
  help: [
    'tail [-f] <name> [stdout|stderr] (default stdout)',
    'Ex:',
    'tail -f <name>\t\tContinuous tail of named process stdout',
    '\t\t\tCtrl-C to exit.',
    'tail -100 <name>\tlast 100 *bytes* of process stdout',
    'tail <name> stderr\tlast 1600 *bytes* of process stderr',
  ].join('\n'),
  async run(ctl, { arg }) {
    if (!(await ctl.upcheck())) return;
    const args = splitWords(arg);
    const follow = args[0] === '-f';
    const fail = (message: string, help = false) => {
      ctl.output(message);
      ctl.exitstatus = Exit.GENERIC;
      if (help) ctl.output(command.help);
    };
    if (args.length < 1) return fail('Error: too few arguments', true);
    // tsupervisorctl extension: `tail -f web:* worker [stdout|stderr]` follows several names
    // when every one of them is a known process or group; anything else keeps supervisorctl's
    // reading (`tail -f a bogus` → bad channel 'bogus', more than 3 words → too many).
    if (follow && args.length > 2) {
      const last = args[args.length - 1].toLowerCase();
      const named = last === 'stdout' || last === 'stderr' ? args.slice(1, -1) : args.slice(1);
      if (named.length > 1 && (await allKnown(ctl, named))) {
        return followTail(ctl, named.flatMap(splitNames), named.length < args.length - 1 ? (last as LogChannel) : 'stdout');
      }
    }
    if (args.length > 3) return fail('Error: too many arguments', true);
    const modifier = args[0].startsWith('-') ? args.shift()! : null;
    let name: string;
    let channel = 'stdout';
    if (args.length === 1) name = args[0];
    else if (args.length > 1) {
      name = args[0];
      channel = args[args.length - 1].toLowerCase();
      if (channel !== 'stdout' && channel !== 'stderr') return fail(`Error: bad channel ${pyRepr(channel)}`);
    } else return fail('Error: tail requires process name');
    // tsupervisorctl extension: `tail -f` follows a group (`web:*`) or several names joined
    // with commas (`web:*,worker`); the arguments themselves are supervisorctl's.
    if (follow) return followTail(ctl, splitNames(name), channel as LogChannel);
    let bytes = 1600;
    if (modifier !== null) {
      const what = modifier.slice(1).trim();
      if (!/^[+-]?\d+(_\d+)*$/.test(what)) return fail(`Error: bad argument ${modifier}`);
      bytes = Number(what.replace(/_/g, ''));
    }
    const method = channel === 'stdout' ? 'supervisor.readProcessStdoutLog' : 'supervisor.readProcessStderrLog';
    let output: string;
    try {
      output = await (await ctl.rpc()).call(method, { name, offset: -bytes, length: 0 });
    } catch (err) {
      ctl.exitstatus = Exit.GENERIC;
      if (isFault(err, Faults.NO_FILE)) ctl.output(`${name}: ERROR (no log file)`);
      else if (isFault(err, Faults.FAILED)) ctl.output(`${name}: ERROR (${err.detail || 'unknown error reading log'})`);
      else if (isFault(err, Faults.BAD_NAME)) ctl.output(`${name}: ERROR (no such process name)`);
      else throw err;
      return;
    }
    ctl.output(viaXmlRpc(output));
  },
};

/** `web:*,worker` → ['web:*', 'worker'] (the comma form works inside supervisorctl's grammar). */
function splitNames(arg: string): string[] {
  return arg.split(',').filter(Boolean);
}

/** Whether every name (or comma list) is a process or group the daemon knows. */
async function allKnown(ctl: Ctl, names: string[]): Promise<boolean> {
  const infos = await (await ctl.rpc()).call('supervisor.getAllProcessInfo');
  const groups = new Set(infos.map((i) => i.group));
  const specs = new Set(infos.flatMap((i) => [i.group === i.name ? i.name : `${i.group}:${i.name}`]));
  return names.flatMap(splitNames).every((n) => {
    const [group, proc] = splitNamespec(n);
    return proc === null ? groups.has(group) : specs.has(n);
  });
}

/**
 * `tail -f`: one process streams as supervisorctl does; several names or a group get each line
 * prefixed with its process name. Ctrl-C ends it (a newline, exit status unchanged).
 */
async function followTail(ctl: Ctl, names: string[], channel: LogChannel): Promise<void> {
  ctl.output('==> Press Ctrl-C to exit <==');
  const prefixed = names.length > 1 || names.some((n) => splitNamespec(n)[1] === null);
  const write = (text: string) => ctl.out.write(text);
  const sink: LogSink = prefixed ? prefixSink(write, await namePainter(ctl)) : rawSink(write);
  await follow(ctl, { names, channel, main: false }, sink, `/logtail/${names.join(',')}/${channel}`);
}

/** `maintail -f` shares the loop. */
export async function follow(
  ctl: Ctl,
  spec: { names: string[]; channel: LogChannel; main: boolean },
  sink: LogSink,
  path: string,
): Promise<void> {
  const { interrupted, dispose } = ctl.interruptible();
  try {
    const end = await streamLogs(ctl, spec, sink, interrupted);
    if (end.how === 'stopped') ctl.output('');
    else {
      // never a silent end: the daemon went away, or stopped following (and said why)
      ctl.outputError(`Error: ${end.reason ?? `the connection to ${ctl.settings.serverurl} was closed; output stops here`}`);
      ctl.exitstatus = Exit.GENERIC;
    }
  } catch (err) {
    if (!isFault(err)) throw err;
    const where = !spec.main && err.detail && spec.names.length > 1 ? `/logtail/${err.detail}/${spec.channel}` : path;
    ctl.outputError(`${ctl.settings.serverurl}${where} Cannot read, status code 404`);
  } finally {
    dispose();
  }
}

async function namePainter(ctl: Ctl): Promise<((name: string) => string) | undefined> {
  if (!(await ctl.painter())) return undefined;
  const { Chalk } = await import('chalk');
  const chalk = new Chalk({ level: 1 });
  return (name) => chalk.cyan(name);
}

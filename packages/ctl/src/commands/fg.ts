import { Faults, ProcessStates } from '@tsupervisor/protocol';
import type { Ctl } from '../ctl.js';
import { Exit, faultRepr, isFault } from '../render/faults.js';
import { rawSink, streamLogs } from '../follow.js';
import { INTERRUPT } from '../input.js';
import { splitWords } from '../namespec.js';
import type { Command } from './types.js';

export const command: Command = {
  name: 'fg',
  help: 'fg <process>\tConnect to a process in foreground mode\n\t\tCtrl-C to exit',
  async run(ctl, { arg }) {
    if (!(await ctl.upcheck())) return;
    const names = splitWords(arg);
    if (names.length === 0) {
      ctl.output('ERROR: no process name supplied');
      ctl.exitstatus = Exit.GENERIC;
      ctl.output(command.help);
      return;
    }
    if (names.length > 1) {
      ctl.output('ERROR: too many process names supplied');
      ctl.exitstatus = Exit.GENERIC;
      return;
    }
    const name = names[0];
    const rpc = await ctl.rpc();
    let info;
    try {
      info = await rpc.call('supervisor.getProcessInfo', { name });
    } catch (err) {
      if (!isFault(err)) throw err;
      if (err.code === Faults.BAD_NAME) {
        ctl.output('ERROR: bad process name supplied');
        ctl.exitstatus = Exit.GENERIC;
      } else ctl.output(`ERROR: ${faultRepr(err)}`);
      return;
    }
    if (info.state !== ProcessStates.RUNNING) {
      ctl.output('ERROR: process not running');
      ctl.exitstatus = Exit.GENERIC;
      return;
    }
    ctl.output('==> Press Ctrl-C to exit <==');
    await foreground(ctl, name);
  },
};

/** Streams the process's stdout and stderr while sending typed lines to its stdin. */
async function foreground(ctl: Ctl, name: string): Promise<void> {
  let stopStreams!: () => void;
  const stop = new Promise<void>((resolve) => (stopStreams = resolve));
  const write = (text: string) => ctl.out.write(text);
  const streams = (['stdout', 'stderr'] as const).map((channel) =>
    streamLogs(ctl, { names: [name], channel, main: false }, rawSink(write), stop).catch((err: unknown) => {
      // A channel with no log file: supervisorctl's fg thread reports its /logtail 404 and goes on.
      if (isFault(err)) ctl.outputError(`${ctl.settings.serverurl}/logtail/${name}/${channel} Cannot read, status code 404`);
      return null;
    }),
  );
  const { interrupted, dispose } = ctl.interruptible();
  const rpc = await ctl.rpc();
  // what the process wrote before we leave (the heads, at least) is shown before the farewell:
  // the streams are stopped and finished first
  let farewell: string[] = [];
  try {
    for (;;) {
      const line = await Promise.race([ctl.readLine(''), interrupted.then((): typeof INTERRUPT => INTERRUPT)]);
      if (line === null || line === INTERRUPT) {
        ctl.input?.interrupt();
        farewell = ['Exiting foreground'];
        return;
      }
      try {
        await rpc.call('supervisor.sendProcessStdin', { name, chars: `${line}\n` });
      } catch (err) {
        if (!isFault(err)) throw err;
        farewell = [err.code === Faults.NOT_RUNNING ? 'Process got killed' : `ERROR: ${faultRepr(err)}`, 'Exiting foreground'];
        return;
      }
      const info = await rpc.call('supervisor.getProcessInfo', { name });
      if (info.state !== ProcessStates.RUNNING) {
        farewell = ['Process got killed', 'Exiting foreground'];
        return;
      }
    }
  } finally {
    dispose();
    stopStreams();
    await Promise.all(streams);
    for (const line of farewell) ctl.output(line);
  }
}

/**
 * tsupervisorctl: supervisorctl 4.2.5's command line, output and exit codes, over
 * tsupervisord's Unix socket. Start-up stays small: options are parsed by hand (getopt.ts),
 * the config is read by a tiny reader (ini.ts), and each command's code is imported on use.
 */
import path from 'node:path';
import { onecmd } from './dispatch.js';
import { Ctl } from './ctl.js';
import { HelpRequested, type Settings, UsageError, realize } from './options.js';

async function main(argv: string[]): Promise<number> {
  // supervisorctl names itself by sys.argv[0]; through pnpm's shim ours is the .js file's path.
  const progname = process.argv[1] ? path.basename(process.argv[1]).replace(/\.[cm]?js$/, '') : 'tsupervisorctl';
  let settings: Settings;
  try {
    settings = realize(argv);
  } catch (err) {
    if (err instanceof HelpRequested || err instanceof UsageError) {
      const { usageText, usageErrorText } = await import('./render/usage.js');
      if (err instanceof HelpRequested) {
        process.stdout.write(usageText(progname));
        return 0;
      }
      process.stderr.write(usageErrorText(err.message, progname));
      return 2;
    }
    throw err;
  }
  if (settings.targets.length > 1) {
    if (settings.args.length === 0) {
      process.stderr.write('Error: several servers take a command (the interactive shell drives one)\n');
      return 2;
    }
    const { runFleet } = await import('./fleet/run.js');
    return runFleet(settings, settings.args.join(' '));
  }
  const ctl = new Ctl(settings);
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(ctl.exitstatus);
    throw err;
  });
  try {
    if (settings.args.length > 0) {
      await onecmd(ctl, settings.args.join(' '));
      return ctl.exitstatus;
    }
    const { runShell } = await import('./shell.js');
    await runShell(ctl);
    return 0;
  } finally {
    ctl.close();
  }
}

/**
 * Exit once stdout and stderr have handed everything to the kernel: a pipe whose reader is slow
 * (`tsupervisorctl status | slow-consumer`) queues writes, and process.exit() would drop them.
 */
function exitAfterFlush(status: number): void {
  process.exitCode = status;
  process.stdout.write('', () => process.stderr.write('', () => process.exit(status)));
}

main(process.argv.slice(2)).then(
  (status) => exitAfterFlush(status),
  (err: unknown) => {
    process.stderr.write(`tsupervisorctl: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);

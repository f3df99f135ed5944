/**
 * Start-up steps before anything runs: read the command line (answering -h, -v and
 * --echo-config at once) and the configuration file, failing as supervisord does (its
 * usage lines, exit 2); and the reading again that a reload does.
 */
import { ErrorCodes, Faults, RPCFault, SUPERVISOR_COMPAT, hasCode } from '@tsupervisor/protocol';
import { parseDaemonArgs, USAGE, UsageError, type DaemonArgs } from '../cli.js';
import { SAMPLE_CONFIG } from '../config/sample.js';
import { ConfigError, findConfigFile, loadConfig, noConfigFileMessage } from '../config/index.js';
import type { Config } from '../config/types.js';
import { applyOverrides } from '../overrides.js';
import { fail } from './failure.js';

/** The command line; -h, -v and --echo-config answer and exit here. */
export function parseCommandLine(argv: string[]): DaemonArgs {
  let args;
  try {
    args = parseDaemonArgs(argv);
  } catch (err) {
    if (err instanceof UsageError) fail(err.message);
    throw err;
  }
  if (args.help) answerAndExit(USAGE);
  if (args.version) answerAndExit(`${SUPERVISOR_COMPAT}\n`);
  if (args.echoConfig) answerAndExit(SAMPLE_CONFIG);
  return args;
}

function answerAndExit(text: string): never {
  process.stdout.write(text);
  process.exit(0);
}

export interface ConfigSource {
  /** The configuration as first read. */
  config: Config;
  /** Reads the same file with the same command-line overrides again (reread, reload). */
  read: () => Config;
}

/** Find the file (-c, else supervisord's search path) and read it; a bad one ends the start. */
/** `cwd`: where relative paths are resolved from (the previous image's, across a reexec). */
export function readConfiguration(args: DaemonArgs, cwd = process.cwd()): ConfigSource {
  const discover = { execPath: process.argv[1] ?? process.execPath, cwd };
  const file = args.configuration ?? findConfigFile(discover);
  if (!file) fail(noConfigFileMessage(discover));
  const read = () => readConfig(file, args.overrides, cwd);
  try {
    return { config: read(), read };
  } catch (err) {
    // A -c file that does not exist is supervisord's own line (no position to add).
    if (err instanceof ConfigError && hasCode(err, ErrorCodes.CONFIG_NOT_FOUND)) fail(err.reason);
    if (err instanceof ConfigError) fail(err.message, err.exitCode);
    if (err instanceof UsageError) fail(err.message);
    throw err;
  }
}

function readConfig(file: string, overrides: Record<string, string>, cwd: string): Config {
  const config = loadConfig(file, { cwd });
  return { ...config, supervisord: applyOverrides(config.supervisord, overrides, cwd) };
}

/**
 * Reload: the configuration is read before anything stops. One that no longer reads is
 * refused (the ctl gets CANT_REREAD naming file:line; SIGHUP logs it) and everything keeps
 * running — where supervisord stops every process and then exits on it.
 */
export function readForRestart(read: () => Config): Config {
  try {
    return read();
  } catch (err) {
    if (err instanceof ConfigError || err instanceof UsageError) throw new RPCFault(Faults.CANT_REREAD, err.message);
    throw err;
  }
}

/** tsupervisord's command line: supervisord's options (reference §1 [supervisord] CLI flags). */
import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import { pyRepr } from '@tsupervisor/protocol';
export interface DaemonArgs {
  configuration: string | null;
  help: boolean;
  version: boolean;
  /** --echo-config: print the commented sample configuration and exit (echo_supervisord_conf). */
  echoConfig: boolean;
  /** [supervisord] overrides given on the command line, as raw strings keyed by config key. */
  overrides: Record<string, string>;
}

/** supervisord's options: short letter (with ':' when it takes a value), long name, key. */
const OPTIONS: ReadonlyArray<[short: string, long: string, key: string]> = [
  ['h', 'help', 'help'],
  ['?', '', 'help'],
  ['c:', 'configuration=', 'configuration'],
  ['v', 'version', 'version'],
  ['n', 'nodaemon', 'nodaemon'],
  ['u:', 'user=', 'user'],
  ['m:', 'umask=', 'umask'],
  ['d:', 'directory=', 'directory'],
  ['l:', 'logfile=', 'logfile'],
  ['y:', 'logfile_maxbytes=', 'logfile_maxbytes'],
  ['z:', 'logfile_backups=', 'logfile_backups'],
  ['e:', 'loglevel=', 'loglevel'],
  ['j:', 'pidfile=', 'pidfile'],
  ['i:', 'identifier=', 'identifier'],
  ['q:', 'childlogdir=', 'childlogdir'],
  ['a:', 'minfds=', 'minfds'],
  ['', 'minprocs=', 'minprocs'],
  ['k', 'nocleanup', 'nocleanup'],
  ['t', 'strip_ansi', 'strip_ansi'],
  ['', 'profile_options=', 'profile_options'],
  ['s', 'silent', 'silent'],
  // tsupervisor's: supervisor has a separate program, echo_supervisord_conf
  ['', 'echo-config', 'echo_config'],
];

const SHORT_OPTS = OPTIONS.map(([short]) => short).join('');
const LONG_OPTS = OPTIONS.map(([, long]) => long).filter(Boolean);
const KEY_OF = new Map<string, string>();
for (const [short, long, key] of OPTIONS) {
  if (short) KEY_OF.set(`-${short[0]}`, key);
  if (long) KEY_OF.set(`--${long.replace(/=$/, '')}`, key);
}
const SWITCHES = new Set(['nodaemon', 'silent', 'nocleanup', 'strip_ansi']);

export class UsageError extends Error {}

/** Python's getopt.getopt (not GNU: the first non-option ends the options), with its messages. */
function getopt(argv: string[]): { opts: Array<[string, string]>; rest: string[] } {
  const opts: Array<[string, string]> = [];
  let rest = argv.slice();
  while (rest.length > 0 && rest[0].startsWith('-') && rest[0] !== '-') {
    if (rest[0] === '--') {
      rest = rest.slice(1);
      break;
    }
    const word = rest.shift()!;
    if (word.startsWith('--')) {
      let opt = word.slice(2);
      let optarg: string | undefined;
      const eq = opt.indexOf('=');
      if (eq >= 0) {
        optarg = opt.slice(eq + 1);
        opt = opt.slice(0, eq);
      }
      const possibilities = LONG_OPTS.filter((o) => o.startsWith(opt));
      if (possibilities.length === 0) throw new UsageError(`option --${opt} not recognized`);
      let hasArg: boolean;
      if (possibilities.includes(opt)) hasArg = false;
      else if (possibilities.includes(`${opt}=`)) hasArg = true;
      else if (possibilities.length > 1) throw new UsageError(`option --${opt} not a unique prefix`);
      else {
        hasArg = possibilities[0].endsWith('=');
        opt = possibilities[0].replace(/=$/, '');
      }
      if (hasArg) {
        if (optarg === undefined) {
          if (rest.length === 0) throw new UsageError(`option --${opt} requires argument`);
          optarg = rest.shift()!;
        }
      } else if (optarg !== undefined) throw new UsageError(`option --${opt} must not have an argument`);
      opts.push([`--${opt}`, optarg ?? '']);
      continue;
    }
    let cluster = word.slice(1);
    while (cluster !== '') {
      const opt = cluster[0];
      cluster = cluster.slice(1);
      const at = opt === ':' ? -1 : SHORT_OPTS.indexOf(opt);
      if (at < 0) throw new UsageError(`option -${opt} not recognized`);
      let optarg = '';
      if (SHORT_OPTS[at + 1] === ':') {
        if (cluster === '') {
          if (rest.length === 0) throw new UsageError(`option -${opt} requires argument`);
          cluster = rest.shift()!;
        }
        optarg = cluster;
        cluster = '';
      }
      opts.push([`-${opt}`, optarg]);
    }
  }
  return { opts, rest };
}

/** Python's int(s): surrounding whitespace, a sign, digits with single underscores. */
function pyInt(s: string, base = 10): number {
  const digits = base === 8 ? '[0-7]' : '\\d';
  const m = new RegExp(`^\\s*([+-]?)${base === 8 ? '(?:0[oO])?_?' : ''}(${digits}+(?:_${digits}+)*)\\s*$`).exec(s);
  if (!m) throw new Error(`invalid literal for int() with base ${base}: ${pyRepr(s)}`);
  return parseInt(m[1] + m[2].replace(/_/g, ''), base);
}

function expandUser(v: string): string {
  return v === '~' || v.startsWith('~/') ? (process.env['HOME'] ?? '') + v.slice(1) : v;
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * supervisord's handlers (datatypes.py): the value the option stands for, or an Error with
 * supervisor's message (shown as `invalid value for -e 'LOUD': bad logging level name 'LOUD'`).
 */
const HANDLERS: Record<string, (v: string) => string> = {
  umask: (v) => {
    try {
      return pyInt(v, 8).toString(8);
    } catch {
      throw new Error(`${v} can not be converted to an octal type`);
    }
  },
  directory: existingDirectory,
  childlogdir: existingDirectory,
  logfile: existingDirpath,
  pidfile: existingDirpath,
  logfile_maxbytes: (v) => {
    const lower = v.toLowerCase();
    for (const [suffix, m] of [['kb', 1024], ['mb', 1024 ** 2], ['gb', 1024 ** 3]] as const) {
      if (lower.endsWith(suffix)) return String(pyInt(lower.slice(0, -suffix.length)) * m);
    }
    return String(pyInt(lower));
  },
  logfile_backups: (v) => String(pyInt(v)),
  minfds: (v) => String(pyInt(v)),
  minprocs: (v) => String(pyInt(v)),
  loglevel: (v) => {
    const level = v.toLowerCase();
    if (!['critical', 'error', 'warn', 'info', 'debug', 'trace', 'blather'].includes(level)) {
      throw new Error(`bad logging level name ${pyRepr(v)}`);
    }
    return level;
  },
};

function existingDirectory(v: string): string {
  const nv = expandUser(v);
  if (isDir(nv)) return nv;
  throw new Error(`${v} is not an existing directory`);
}

function existingDirpath(v: string): string {
  const nv = expandUser(v);
  const dir = dirname(nv);
  if (!nv.includes('/') || isDir(dir)) return nv;
  throw new Error(`The directory named as part of the path ${v} does not exist`);
}

/**
 * As supervisord's realize(): getopt, then no positional arguments, then each option in order
 * (its value checked; -h and -v answer at once; an option given twice is a conflict).
 */
export function parseDaemonArgs(argv: string[]): DaemonArgs {
  const args: DaemonArgs = { configuration: null, help: false, version: false, echoConfig: false, overrides: {} };
  const { opts, rest } = getopt(argv);
  if (rest.length > 0) throw new UsageError(`positional arguments are not supported: [${rest.map(pyRepr).join(', ')}]`);
  const seen = new Set<string>();
  for (const [opt, raw] of opts) {
    const key = KEY_OF.get(opt)!;
    if (key === 'help') return { ...args, help: true };
    if (key === 'version') return { ...args, version: true };
    if (key === 'echo_config') return { ...args, echoConfig: true };
    let value = SWITCHES.has(key) ? 'true' : raw;
    const handler = HANDLERS[key];
    if (handler) {
      try {
        value = handler(raw);
      } catch (err) {
        throw new UsageError(`invalid value for ${opt} ${pyRepr(raw)}: ${(err as Error).message}`);
      }
    }
    if (seen.has(key)) throw new UsageError(`conflicting command line option ${pyRepr(opt)}`);
    seen.add(key);
    if (key === 'configuration') args.configuration = value;
    else args.overrides[key] = value;
  }
  return args;
}

export const USAGE = `tsupervisord -- run a set of applications as daemons.

Usage: tsupervisord [options]

Options:
-c/--configuration FILENAME -- configuration file path (searches if not given)
-n/--nodaemon -- run in the foreground (same as 'nodaemon=true' in config file)
-s/--silent -- no logs to stdout (maps to 'silent=true' in config file)
-h/--help -- print this usage message and exit
-v/--version -- print supervisord version number and exit
--echo-config -- print a commented sample configuration and exit (echo_supervisord_conf)
-u/--user USER -- run supervisord as this user (or numeric uid)
-m/--umask UMASK -- use this umask for daemon subprocess (default is 022)
-d/--directory DIRECTORY -- directory to chdir to when daemonized
-l/--logfile FILENAME -- use FILENAME as logfile path
-y/--logfile_maxbytes BYTES -- use BYTES to limit the max size of logfile
-z/--logfile_backups NUM -- number of backups to keep when max bytes reached
-e/--loglevel LEVEL -- use LEVEL as log level (debug,info,warn,error,critical)
-j/--pidfile FILENAME -- write a pid file for the daemon process to FILENAME
-i/--identifier STR -- identifier used for this instance of supervisord
-q/--childlogdir DIRECTORY -- the log directory for child process logs
-k/--nocleanup --  prevent the process from performing cleanup (removal of
                   old automatic child log files) at startup.
-a/--minfds NUM -- the minimum number of file descriptors for start success
-t/--strip_ansi -- strip ansi escape codes from process output
--minprocs NUM  -- the minimum number of processes available for start success
--profile_options OPTIONS -- run supervisord under profiler and output
                             results based on OPTIONS, which  is a comma-sep'd
                             list of 'cumulative', 'calls', and/or 'callers',
                             e.g. 'cumulative,callers')

`;

/** tsupervisord's command line: supervisord's options (reference §1 [supervisord] CLI flags). */
export interface DaemonArgs {
  configuration: string | null;
  help: boolean;
  version: boolean;
  /** [supervisord] overrides given on the command line, as raw strings keyed by config key. */
  overrides: Record<string, string>;
}

const FLAGS: Record<string, string> = {
  '-c': 'configuration',
  '--configuration': 'configuration',
  '-n': 'nodaemon',
  '--nodaemon': 'nodaemon',
  '-s': 'silent',
  '--silent': 'silent',
  '-h': 'help',
  '-?': 'help',
  '--help': 'help',
  '-v': 'version',
  '--version': 'version',
  '-u': 'user',
  '--user': 'user',
  '-m': 'umask',
  '--umask': 'umask',
  '-d': 'directory',
  '--directory': 'directory',
  '-l': 'logfile',
  '--logfile': 'logfile',
  '-y': 'logfile_maxbytes',
  '--logfile_maxbytes': 'logfile_maxbytes',
  '-z': 'logfile_backups',
  '--logfile_backups': 'logfile_backups',
  '-e': 'loglevel',
  '--loglevel': 'loglevel',
  '-j': 'pidfile',
  '--pidfile': 'pidfile',
  '-i': 'identifier',
  '--identifier': 'identifier',
  '-q': 'childlogdir',
  '--childlogdir': 'childlogdir',
  '-k': 'nocleanup',
  '--nocleanup': 'nocleanup',
  '-a': 'minfds',
  '--minfds': 'minfds',
  '-t': 'strip_ansi',
  '--strip_ansi': 'strip_ansi',
  '--minprocs': 'minprocs',
  '--profile_options': 'profile_options',
};

const SWITCHES = new Set(['nodaemon', 'silent', 'help', 'version', 'nocleanup', 'strip_ansi']);

export class UsageError extends Error {}

export function parseDaemonArgs(argv: string[]): DaemonArgs {
  const args: DaemonArgs = { configuration: null, help: false, version: false, overrides: {} };
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i];
    let inline: string | undefined;
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    if (eq > 0) {
      inline = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    } else if (/^-[a-zA-Z?].+/.test(arg) && !arg.startsWith('--')) {
      inline = arg.slice(2);
      arg = arg.slice(0, 2);
    }
    const key = FLAGS[arg];
    if (!key) throw new UsageError(`option ${argv[i]} not recognized`);
    if (SWITCHES.has(key)) {
      if (key === 'help') args.help = true;
      else if (key === 'version') args.version = true;
      else args.overrides[key] = 'true';
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined) throw new UsageError(`option ${arg} requires argument`);
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
`;

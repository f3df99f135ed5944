/**
 * supervisorctl's ClientOptions: command-line options, then the `[supervisorctl]` section of the
 * config file (found by supervisor's search order when `-c` is not given), then defaults.
 */
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GetoptError, getopt } from './getopt.js';
import { IniError, type IniSections, expand, getOption, parseIni } from './ini.js';

export interface Settings {
  configfile: string | null;
  serverurl: string;
  username: string | null;
  password: string | null;
  prompt: string;
  historyFile: string | null;
  /** true with `-i` or when no command was given. */
  interactive: boolean;
  /** The command words (`status`, `g:*` …). */
  args: string[];
  /** tsupervisorctl extensions. */
  json: boolean;
  /** true/false forced by `--color`/`--no-color`; null: decide from the terminal and NO_COLOR. */
  color: boolean | null;
  /**
   * The servers when more than one is given (`-s` repeated, a list in `serverurl`, `--targets
   * FILE`): the command runs against each (fleet/run.ts); empty for one server (`serverurl`).
   */
  targets: Target[];
  /** Seconds a server of a fleet may take to answer before it is reported (`--timeout`). */
  timeout: number;
}

/** One server of a fleet: the name given in a targets file (null: its identification) and its URL. */
export interface Target {
  name: string | null;
  url: string;
}

/** A usage error: printed as `Error: MSG` + `For help, use PROG -h` on stderr, exit 2. */
export class UsageError extends Error {}
/** `-h`, `--help`, `-?`: print the usage text, exit 0. */
export class HelpRequested extends Error {}

export interface Environment {
  argv0: string;
  env: NodeJS.ProcessEnv;
  cwd: string;
  exists(file: string): boolean;
  readFile(file: string): string;
}

export function processEnvironment(): Environment {
  return {
    argv0: process.argv[1] ?? 'tsupervisorctl',
    env: process.env,
    cwd: process.cwd(),
    exists: existsSync,
    readFile: (file) => readFileSync(file, 'utf8'),
  };
}

const SHORT = 'h?c:is:u:p:r:';
const LONG = ['help', 'configuration=', 'interactive', 'serverurl=', 'username=', 'password=', 'history_file=', 'json', 'color', 'no-color', 'targets=', 'timeout='];

type Name = 'configfile' | 'interactive' | 'serverurl' | 'username' | 'password' | 'history';
const OPTION_NAMES: Record<string, Name> = {
  '-c': 'configfile', '--configuration': 'configfile',
  '-i': 'interactive', '--interactive': 'interactive',
  '-s': 'serverurl', '--serverurl': 'serverurl',
  '-u': 'username', '--username': 'username',
  '-p': 'password', '--password': 'password',
  '-r': 'history', '--history_file': 'history',
};

/** supervisor's config search order (reference §0), relative to the executable and the cwd. */
export function searchPaths(argv0: string): string[] {
  const here = path.dirname(path.dirname(argv0));
  return [
    path.join(here, 'etc', 'supervisord.conf'),
    path.join(here, 'supervisord.conf'),
    'supervisord.conf',
    'etc/supervisord.conf',
    '/etc/supervisord.conf',
    '/etc/supervisor/supervisord.conf',
  ];
}

export function realize(argv: string[], environment: Environment = processEnvironment()): Settings {
  let parsed;
  try {
    parsed = getopt(argv, SHORT, LONG);
  } catch (err) {
    if (err instanceof GetoptError) throw new UsageError(err.message);
    throw err;
  }
  const cli: Partial<Record<Name, string>> = {};
  let json = false;
  let color: boolean | null = null;
  const urls: string[] = [];
  let targetsFile: string | null = null;
  let timeout = 5;
  for (const [opt, value] of parsed.options) {
    if (opt === '-h' || opt === '-?' || opt === '--help') throw new HelpRequested();
    if (opt === '--json') json = true;
    else if (opt === '--targets') targetsFile = value;
    else if (opt === '--timeout') {
      timeout = Number(value);
      if (!(timeout > 0)) throw new UsageError(`invalid value for --timeout ${pyQuote(value)}: not a positive number of seconds`);
    } else if ((opt === '-s' || opt === '--serverurl') && cli.serverurl !== undefined && !urls.includes(value)) {
      // several servers: a fleet (the same one twice stays supervisorctl's conflict)
      checkUrl(opt, value);
      urls.push(value);
    }
    else if (opt === '--color') color = true;
    else if (opt === '--no-color') color = false;
    else {
      const name = OPTION_NAMES[opt];
      const arg = name === 'interactive' ? '1' : value;
      if (name === 'serverurl') checkUrl(opt, value);
      if (cli[name] !== undefined) throw new UsageError(`conflicting command line option '${opt}'`);
      cli[name] = arg;
      if (name === 'serverurl') urls.push(value);
    }
  }

  const configfile = cli.configfile ?? searchPaths(environment.argv0).find((p) => environment.exists(p)) ?? null;
  const fromFile = configfile ? readConfig(configfile, environment) : null;
  let targets: Target[] = [];
  if (targetsFile !== null) targets = readTargets(targetsFile, environment);
  else if (urls.length > 1) targets = urls.map((url) => ({ name: null, url }));
  else if (urls.length === 0 && fromFile) {
    const list = serverList(fromFile.serverurl);
    if (list.length > 1) targets = list.map((url) => ({ name: null, url: normalizeUrl(url, environment) }));
  }
  const single = targets.length === 1 ? targets[0]!.url : null;
  if (single !== null) targets = [];
  return {
    configfile,
    targets,
    timeout,
    serverurl: single ?? cli.serverurl ?? fromFile?.serverurl ?? 'http://localhost:9001',
    username: cli.username ?? fromFile?.username ?? null,
    password: cli.password ?? fromFile?.password ?? null,
    prompt: fromFile?.prompt ?? 'supervisor',
    historyFile: cli.history ?? fromFile?.historyFile ?? null,
    interactive: cli.interactive !== undefined || parsed.args.length === 0,
    args: parsed.args,
    json,
    color,
  };
}

/** `serverurl` in [supervisorctl] may list several servers, separated by white space or commas. */
function serverList(value: string): string[] {
  return value.split(/[\s,]+/).filter(Boolean);
}

function normalizeUrl(url: string, { cwd, env }: Environment): string {
  return url.startsWith('unix://') ? `unix://${normalizePath(url.slice(7), cwd, env)}` : url;
}

/** `--targets FILE`: one `name URL` (or just `URL`) per line; `#` starts a comment. */
function readTargets(file: string, environment: Environment): Target[] {
  let text: string;
  try {
    text = environment.readFile(file);
  } catch {
    throw new UsageError(`could not read targets file ${file}`);
  }
  const targets: Target[] = [];
  for (const [i, raw] of text.split('\n').entries()) {
    const words = raw.replace(/#.*/, '').trim().split(/\s+/).filter(Boolean);
    if (words.length === 0) continue;
    if (words.length > 2) throw new UsageError(`${file} line ${i + 1}: expected 'name URL', got ${pyQuote(raw.trim())}`);
    const url = words[words.length - 1]!;
    checkUrl('--targets', url);
    targets.push({ name: words.length === 2 ? words[0]! : null, url: normalizeUrl(url, environment) });
  }
  if (targets.length === 0) throw new UsageError(`no server in targets file ${file}`);
  return targets;
}

/** datatypes.url: a scheme and a netloc or path (Python's urlparse rules). */
function checkUrl(opt: string, value: string): void {
  const colon = value.indexOf(':');
  const scheme = colon > 0 && /^[A-Za-z][A-Za-z0-9+.-]*$/.test(value.slice(0, colon));
  if (scheme) {
    let rest = value.slice(colon + 1);
    if (rest.startsWith('//')) {
      const end = rest.slice(2).search(/[/?#]/);
      const netloc = end < 0 ? rest.slice(2) : rest.slice(2, 2 + end);
      rest = end < 0 ? '' : rest.slice(2 + end);
      if (netloc !== '') return;
    }
    if (rest.replace(/[?#].*$/s, '') !== '') return;
  }
  const r = pyQuote(value);
  throw new UsageError(`invalid value for ${opt} ${r}: value ${r} is not a URL`);
}

function pyQuote(s: string): string {
  return s.includes("'") && !s.includes('"') ? `"${s}"` : `'${s.replace(/'/g, "\\'")}'`;
}

/** Python's os.path.normpath(os.path.abspath(os.path.expanduser(p))). */
export function normalizePath(p: string, cwd: string, env: NodeJS.ProcessEnv): string {
  if (p === '~' || p.startsWith('~/')) p = (env.HOME ?? os.homedir()) + p.slice(1);
  return path.resolve(cwd, p);
}

interface FileSettings {
  serverurl: string;
  prompt: string;
  username: string | null;
  password: string | null;
  historyFile: string | null;
}

/** ClientOptions.read_config: the `[supervisorctl]` section, with `%(here)s` and `%(ENV_X)s`. */
export function readConfig(file: string, environment: Environment): FileSettings {
  const { cwd, env } = environment;
  const here = path.dirname(normalizePath(file, cwd, env));
  if (!environment.exists(file)) throw new UsageError(`could not find config file ${file}`);
  let sections: IniSections;
  try {
    sections = parseIni(environment.readFile(file), file);
  } catch (err) {
    if (err instanceof IniError) throw new UsageError(err.message);
    throw new UsageError(`could not read config file ${file}`);
  }
  if (!sections.has('supervisorctl')) throw new UsageError('.ini file does not include supervisorctl section');
  const envExpansions: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) envExpansions[`ENV_${k}`] = v;
  const get = (key: string, fallback: string | null, withHere: boolean): string | null => {
    const raw = getOption(sections, 'supervisorctl', key) ?? fallback;
    if (raw === null) return null;
    const expansions = withHere ? { ...envExpansions, here } : envExpansions;
    try {
      return expand(raw, expansions, `supervisorctl.${key}`);
    } catch (err) {
      if (err instanceof IniError) throw new UsageError(err.message);
      throw err;
    }
  };
  // supervisorctl defaults to http://localhost:9001, which tsupervisord never serves; when
  // [supervisorctl] names no server, the same file's [unix_http_server] socket is the one meant.
  let fallback = 'http://localhost:9001';
  const socketFile = getOption(sections, 'unix_http_server', 'file');
  if (socketFile !== undefined && getOption(sections, 'supervisorctl', 'serverurl') === undefined) {
    try {
      fallback = `unix://${expand(socketFile, { ...envExpansions, here }, 'unix_http_server.file')}`;
    } catch {
      /* left to the daemon to report */
    }
  }
  let serverurl = get('serverurl', fallback, true)!;
  if (serverurl.startsWith('unix://') && serverList(serverurl).length === 1) serverurl = `unix://${normalizePath(serverurl.slice(7), cwd, env)}`;
  const history = get('history_file', null, true);
  return {
    serverurl,
    prompt: get('prompt', 'supervisor', false)!,
    username: get('username', null, false),
    password: get('password', null, false),
    historyFile: history ? normalizePath(history, cwd, env) : null,
  };
}

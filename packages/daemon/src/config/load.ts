/**
 * loadConfig: read supervisord.conf (and its includes) into the typed Config, with supervisor
 * 4.2.5's defaults, expansions and checks. Throws ConfigError (one line naming file:line,
 * section, key and value); non-fatal problems go to `config.warnings`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import type { Config, CtlConfig } from './types.js';
import { envNamesOf, readerFor, type LoadContext } from './context.js';
import { ErrorCodes } from '@tsupervisor/protocol';
import { ConfigError } from './errors.js';
import { readGroups } from './groups.js';
import { checkDependencies } from './dependencies.js';
import { readIncludes } from './include.js';
import { parseIni, type IniDocument, type IniSection } from './ini.js';
import {
  classifySection,
  EVENTLISTENER_KEYS,
  FCGI_PROGRAM_KEYS,
  GROUP_KEYS,
  INCLUDE_KEYS,
  INET_HTTP_SERVER_KEYS,
  MAIN_RPCINTERFACE_FACTORY,
  PROGRAM_KEYS,
  SUPERVISORCTL_KEYS,
  SUPERVISORD_KEYS,
  UNIX_HTTP_SERVER_KEYS,
  type SectionKind,
} from './schema.js';
import { readInetHttpServer, readSupervisorctl, readSupervisord, readUnixHttpServer } from './daemon-sections.js';
import { readUserDb, type UserDb } from './users.js';

export interface LoadOptions {
  /** The daemon's environment (ENV_* expansions); default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Relative paths (the file itself, logfile, pidfile, …) resolve against this; default process.cwd(). */
  cwd?: string;
  /** `%(host_node_name)s`; default os.hostname(). */
  hostname?: string;
  /** The daemon's uid (default owner of fcgi unix sockets); default process.getuid(). */
  uid?: number;
  /** User/group database; default /etc/passwd and /etc/group read now. */
  users?: UserDb;
}

export function loadConfig(file: string, opts: LoadOptions = {}): Config {
  const cwd = opts.cwd ?? process.cwd();
  const env = opts.env ?? process.env;
  const mainFile = resolve(cwd, file);
  const doc = parseIni(readMain(file, mainFile), mainFile);
  const users = opts.users ?? readUserDb();
  const uid = opts.uid ?? process.getuid?.() ?? 0;
  const hostNodeName = opts.hostname ?? hostname();
  const envNames = envNamesOf(env);

  const included = readIncludes(doc, mainFile, envNames, hostNodeName);
  const supervisordSection = doc.sections.get('supervisord');
  if (!supervisordSection) throw new ConfigError({ file: mainFile, message: '.ini file does not include supervisord section' });

  const ctx: LoadContext = {
    doc,
    paths: { cwd, env, users, uid },
    users,
    uid,
    hostNodeName,
    envNames,
    warnings: [...included.warnings],
  };
  const supervisord = readSupervisord(ctx, readerFor(ctx, supervisordSection));
  const rpcInterfaces = checkRpcInterfaces(ctx);
  const groups = readGroups(ctx);
  checkDependencies(groups);
  for (const group of groups) {
    for (const p of group.processes) p.environment = { ...supervisord.environment, ...p.environment };
  }
  const inet = doc.sections.get('inet_http_server');
  const unix = doc.sections.get('unix_http_server');
  const ctl = doc.sections.get('supervisorctl');
  const config: Config = {
    file: mainFile,
    files: [...new Set([mainFile, ...included.read])],
    supervisord,
    inetHttpServer: inet ? readInetHttpServer(ctx, readerFor(ctx, inet)) : null,
    unixHttpServer: unix ? readUnixHttpServer(ctx, readerFor(ctx, unix)) : null,
    supervisorctl: ctl ? readCtlLeniently(ctx, ctl) : null,
    groups,
    warnings: [],
    infos: included.infos,
    rpcInterfaces,
  };
  config.warnings = [...unknownKeyWarnings(ctx, doc), ...ctx.warnings];
  return config;
}

function readMain(file: string, abs: string): string {
  if (!existsSync(abs)) throw new ConfigError({ file: abs, message: `could not find config file ${file}`, code: ErrorCodes.CONFIG_NOT_FOUND });
  try {
    return readFileSync(abs, 'utf8');
  } catch (e) {
    throw new ConfigError({ file: abs, message: `could not read config file ${file} (${(e as Error).message})` });
  }
}

/**
 * [rpcinterface:x] needs a factory (supervisor imports it). The main interface is built in;
 * any other is a Python plugin we cannot load: a start-up error, as an unresolvable one is.
 */
function checkRpcInterfaces(ctx: LoadContext): string[] {
  const built: string[] = [];
  for (const section of ctx.doc.sections.values()) {
    if (classifySection(section.name).kind !== 'rpcinterface') continue;
    const r = readerFor(ctx, section);
    const key = 'supervisor.rpcinterface_factory';
    const factory = r.string(key, ctx.envNames);
    if (factory === undefined) throw r.error(key, `section [${section.name}] does not specify a ${key}`);
    for (const k of section.values.keys()) r.string(k, ctx.envNames);
    // Any other factory is a Python plugin: supervisord fails to import it unless installed,
    // and tsupervisord cannot load one at all, so it is the same start-up error.
    if (factory.trim() !== MAIN_RPCINTERFACE_FACTORY) throw r.error(key, `${factory} cannot be resolved within [${section.name}]`);
    built.push(section.name.slice('rpcinterface:'.length));
  }
  return built;
}

/** supervisord itself never reads [supervisorctl]: a problem there is only a warning here. */
function readCtlLeniently(ctx: LoadContext, section: IniSection): CtlConfig | null {
  try {
    return readSupervisorctl(ctx, readerFor(ctx, section));
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    ctx.warnings.push(`${e.message} (ignored by tsupervisord)`);
    return null;
  }
}

const KNOWN_KEYS: Partial<Record<SectionKind, ReadonlySet<string>>> = {
  supervisord: SUPERVISORD_KEYS,
  unix_http_server: UNIX_HTTP_SERVER_KEYS,
  inet_http_server: INET_HTTP_SERVER_KEYS,
  supervisorctl: SUPERVISORCTL_KEYS,
  include: INCLUDE_KEYS,
  program: PROGRAM_KEYS,
  'fcgi-program': FCGI_PROGRAM_KEYS,
  eventlistener: EVENTLISTENER_KEYS,
  group: GROUP_KEYS,
};

/** Unknown sections and keys: supervisor ignores them silently; we say so. */
function unknownKeyWarnings(ctx: LoadContext, doc: IniDocument): string[] {
  const out: string[] = [];
  for (const section of doc.sections.values()) {
    const { kind } = classifySection(section.name);
    if (kind === 'unknown') {
      out.push(`${section.file}:${section.line}: [${section.name}]: unknown section (ignored)`);
      continue;
    }
    const known = KNOWN_KEYS[kind];
    if (known) out.push(...readerFor(ctx, section).unknownKeys(known));
  }
  return out;
}

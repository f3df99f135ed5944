/**
 * The daemon-wide sections: [supervisord], [unix_http_server], [inet_http_server],
 * [supervisorctl] (options.ServerOptions.read_config / server_configs_from_parser and
 * ClientOptions.read_config). Values may use `%(here)s` and `%(ENV_X)s`.
 */
import type { CtlConfig, InetHttpServerConfig, SupervisordConfig, UnixHttpServerConfig } from './types.js';
import type { LoadContext } from './context.js';
import type { SectionReader } from './section.js';
import { expand } from './expand.js';
import { defaultTempDir, existingDirectory, existingDirpath, isDirectory, normalizePath } from './paths.js';
import { nameToUid, toOwner } from './users.js';
import {
  toBoolean,
  toByteSize,
  toInetAddress,
  toInteger,
  toKeyValuePairs,
  toLogLevel,
  toOctal,
} from './values.js';
import { BadValue } from './errors.js';

/** [supervisord]; also adds its environment= to ctx.envNames (as supervisor 4.2.2+ does). */
export function readSupervisord(ctx: LoadContext, r: SectionReader): SupervisordConfig {
  const names = ctx.envNames;
  const paths = ctx.paths;
  const str = (key: string, fallback: string): string => r.value(key, names, (s) => s, fallback);
  const logfile = r.value(
    'logfile',
    names,
    (s) => (s === 'syslog' ? s : existingDirpath(s, paths)),
    'supervisord.log',
  );
  if (logfile !== 'syslog' && isDirectory(logfile)) {
    // supervisord accepts the value, then dies opening it (IsADirectoryError, exit 1) before
    // it daemonizes or binds anything: refuse it here, with its line.
    const err = r.error('logfile', `Is a directory: ${logfile}: the main log cannot be opened`);
    err.exitCode = 1;
    throw err;
  }
  const user = r.value('user', names, (s) => (nameToUid(ctx.users, s), s)) ?? null;
  const auditLogfile = r.value(
    'audit_logfile',
    names,
    (s) => (/^(none|off)$/i.test(s) ? null : /^auto$/i.test(s) ? 'AUTO' : existingDirpath(s, paths)),
    'AUTO',
  );
  const server: SupervisordConfig = {
    minfds: r.value('minfds', names, toInteger, '1024'),
    minprocs: r.value('minprocs', names, toInteger, '200'),
    directory: r.value('directory', names, (s) => existingDirectory(s, paths)) ?? null,
    user,
    umask: r.value('umask', names, toOctal, '022'),
    logfile,
    logfileMaxbytes: r.value('logfile_maxbytes', names, toByteSize, '50MB'),
    logfileBackups: r.value('logfile_backups', names, toInteger, '10'),
    loglevel: r.value('loglevel', names, toLogLevel, 'info'),
    pidfile: r.value('pidfile', names, (s) => existingDirpath(s, paths), 'supervisord.pid'),
    identifier: str('identifier', 'supervisor'),
    auditLogfile,
    nodaemon: r.value('nodaemon', names, toBoolean, 'false'),
    silent: r.value('silent', names, toBoolean, 'false'),
    childlogdir: r.value('childlogdir', names, (s) => existingDirectory(s, paths), defaultTempDir(paths)),
    nocleanup: r.value('nocleanup', names, toBoolean, 'false'),
    stripAnsi: r.value('strip_ansi', names, toBoolean, 'false'),
    // Expanded twice, as supervisor does (saneget, then expand() with host_node_name added).
    environment: r.value(
      'environment',
      names,
      (s) => toKeyValuePairs(expand(s, r.namesAt('environment', { ...names, host_node_name: ctx.hostNodeName }), 'environment')),
      '',
    ),
  };
  for (const [k, v] of Object.entries(server.environment)) ctx.envNames[`ENV_${k}`] = v;
  return server;
}

export function readUnixHttpServer(ctx: LoadContext, r: SectionReader): UnixHttpServerConfig {
  const names = ctx.envNames;
  const file = r.value('file', names, (s) => normalizePath(s.trim(), ctx.paths));
  if (file === undefined) throw r.missing('file', `section [${r.name}] has no file value`);
  const chmod = r.value('chmod', names, (s) => rethrow(() => toOctal(s), `Invalid chmod value ${s}`), '0700');
  const chown = r.value('chown', names, (s) => rethrow(() => toOwner(ctx.users, s), `Invalid sockchown value ${s}`)) ?? null;
  return { file, chmod, chown, ...credentials(r, names) };
}

export function readInetHttpServer(ctx: LoadContext, r: SectionReader): InetHttpServerConfig {
  const names = ctx.envNames;
  const port = r.string('port', names);
  if (port === undefined) throw r.missing('port', `section [${r.name}] has no port value`);
  const address = r.value('port', names, toInetAddress)!;
  return { port, host: address.host, portNumber: address.port, ...credentials(r, names) };
}

export function readSupervisorctl(ctx: LoadContext, r: SectionReader): CtlConfig {
  const names = ctx.envNames;
  const serverurl = r.value(
    'serverurl',
    names,
    (s) => (s.startsWith('unix://') ? `unix://${normalizePath(s.slice(7), ctx.paths)}` : s),
    'http://localhost:9001',
  );
  const historyFile = r.value('history_file', names, (s) => (s ? normalizePath(s, ctx.paths) : null)) ?? null;
  return {
    serverurl,
    prompt: r.value('prompt', names, (s) => s, 'supervisor'),
    username: r.string('username', names) ?? null,
    password: r.string('password', names) ?? null,
    historyFile,
  };
}

/** username and password: both or neither. */
function credentials(r: SectionReader, names: Record<string, string>): { username: string | null; password: string | null } {
  const username = r.string('username', names) ?? null;
  const password = r.string('password', names) ?? null;
  if ((username === null) !== (password === null)) {
    throw r.error(
      username === null ? 'password' : 'username',
      `Section [${r.name}] contains incomplete authentication: If a username or a password is specified, ` +
        'both the username and password must be specified',
    );
  }
  return { username, password };
}

/** Runs `fn`, replacing its BadValue message with supervisor's section-specific one. */
function rethrow<T>(fn: () => T, message: string): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof BadValue) throw new BadValue(`${message}: ${e.message}`);
    throw e;
  }
}

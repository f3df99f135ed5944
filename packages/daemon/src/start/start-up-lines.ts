/**
 * The main log's start-up lines, as supervisord writes them at each start and reload: the
 * configuration's messages (options.make_logger) and, for each HTTP server opened, its RPC
 * interface and authentication lines (http.make_http_servers).
 */
import { pyRepr } from '@tsupervisor/protocol';
import type { Config, InetHttpServerConfig, UnixHttpServerConfig } from '../config/types.js';
import type { MainLog } from '../logs/index.js';

const RUNNING_AS_ROOT =
  'Supervisor is running as root.  Privileges were not dropped because no user is specified in the config file.  ' +
  'If you intend to run as root, you can set user=root in the config file to avoid this message.';
const NO_AUTH = (section: string) => `Server '${section}' running without any HTTP authentication checking`;

/** supervisor's options.make_logger: parse criticals, warnings, then infos (`extraInfos` last). */
export function logParseMessages(logger: MainLog, config: Config, extraInfos: readonly string[] = []): void {
  const server = config.supervisord;
  const asRoot = process.getuid?.() === 0;
  if (server.user === null && asRoot) logger.critical(RUNNING_AS_ROOT);
  for (const w of config.warnings) logger.warn(w);
  for (const line of config.infos) logger.info(line);
  for (const line of extraInfos) logger.info(line);
}

/**
 * What supervisord logs as it opens its HTTP servers (http.make_http_servers): for each server,
 * [inet_http_server] first, its RPC interfaces (built once per server, so one line each per
 * server) and then, without credentials, the CRIT line; no server, no line.
 */
export function logServersOpened(logger: MainLog, config: Config): void {
  const servers: Array<[string, InetHttpServerConfig | UnixHttpServerConfig | null | undefined]> = [
    ['inet_http_server', config.inetHttpServer],
    ['unix_http_server', config.unixHttpServer],
  ];
  for (const [section, server] of servers) {
    if (!server) continue;
    for (const name of config.rpcInterfaces ?? []) logger.info(`RPC interface ${pyRepr(name)} initialized`);
    if (server.username === null) logger.critical(NO_AUTH(section));
  }
}

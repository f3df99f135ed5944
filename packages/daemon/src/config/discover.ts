/**
 * Where supervisord looks for its file when no `-c` is given (reference §0, options.Options):
 * `<exe>/../etc/supervisord.conf`, `<exe>/../supervisord.conf`, `supervisord.conf` and
 * `etc/supervisord.conf` in the working directory, `/etc/supervisord.conf`,
 * `/etc/supervisor/supervisord.conf`. The first that exists wins.
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

export interface DiscoverOptions {
  /** The program's path (supervisor uses sys.argv[0]; for us process.argv[1]). */
  execPath: string;
  cwd: string;
  /** Existence test (tests inject one); default fs.existsSync. */
  exists?: (path: string) => boolean;
}

/** The candidate paths, absolute, in search order. */
export function configSearchPaths({ execPath, cwd }: DiscoverOptions): string[] {
  const here = dirname(dirname(resolve(cwd, execPath)));
  return [
    resolve(here, 'etc', 'supervisord.conf'),
    resolve(here, 'supervisord.conf'),
    resolve(cwd, 'supervisord.conf'),
    resolve(cwd, 'etc', 'supervisord.conf'),
    '/etc/supervisord.conf',
    '/etc/supervisor/supervisord.conf',
  ];
}

export function findConfigFile(opts: DiscoverOptions): string | null {
  const exists = opts.exists ?? existsSync;
  return configSearchPaths(opts).find((p) => exists(p)) ?? null;
}

/** supervisor's usage error when nothing is found. */
export function noConfigFileMessage(opts: DiscoverOptions): string {
  return (
    `No config file found at default paths (${configSearchPaths(opts).join(', ')}); ` +
    'use the -c option to specify a config file at a different path'
  );
}

/**
 * Why a socket could not be opened when the reason is that the daemon is not root: a TCP port
 * below net.ipv4.ip_unprivileged_port_start (1024 by default) or a socket_owner= chown. The
 * errno alone (EACCES, EPERM) does not tell a user who runs tsupervisord for their own programs
 * what to change; this hint, appended to the error, does.
 */
import { readFileSync } from 'node:fs';

function unprivilegedPortStart(): number {
  try {
    return Number(readFileSync('/proc/sys/net/ipv4/ip_unprivileged_port_start', 'utf8').trim());
  } catch {
    return 1024;
  }
}

/** ' (…needs root…)' for an EACCES bind on a low port or an EPERM chown by a non-root daemon, else ''. */
export function needsRootHint(code: string | undefined, what: { port?: number; owner?: boolean }): string {
  if (process.getuid?.() === 0) return '';
  if (code === 'EACCES' && what.port !== undefined && what.port < unprivilegedPortStart()) {
    return ` (ports below ${unprivilegedPortStart()} need tsupervisord started as root, or CAP_NET_BIND_SERVICE)`;
  }
  if (code === 'EPERM' && what.owner) return ' (socket_owner= needs tsupervisord started as root)';
  return '';
}

/** `err` with the hint appended to its message (the same object, code kept). */
export function withRootHint<E extends Error>(err: E, what: { port?: number; owner?: boolean }): E {
  const hint = needsRootHint((err as Error & { code?: string }).code, what);
  if (hint) err.message += hint;
  return err;
}

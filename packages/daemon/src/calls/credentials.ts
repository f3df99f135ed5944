/**
 * The credentials of a server section ([unix_http_server], [inet_http_server]) and their check:
 * cleartext or `{SHA}<hex sha1>` passwords as supervisor accepts, compared in constant time.
 * Used by the call pipeline (JSON-RPC's `_auth`) and by HTTP Basic auth (xmlrpc/basic-auth.ts).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { Faults, RPCFault } from '@tsupervisor/protocol';

/** A server section's username/password (username null: no authentication). */
export interface ServerCredentials {
  username: string | null;
  password: string | null;
}

/** UNAUTHORIZED unless `auth` is `{ username, password }` matching the section's. */
export function checkAuth(config: ServerCredentials, auth: unknown): void {
  const a = auth as { username?: unknown; password?: unknown } | undefined;
  if (!a || typeof a.username !== 'string' || typeof a.password !== 'string') throw new RPCFault(Faults.UNAUTHORIZED, 'authentication required');
  if (a.username !== config.username || !passwordMatches(config.password ?? '', a.password)) {
    throw new RPCFault(Faults.UNAUTHORIZED, 'bad username or password');
  }
}

/** Cleartext or `{SHA}<hex sha1>` as supervisor accepts. */
export function passwordMatches(expected: string, given: string): boolean {
  let want = expected;
  let got = given;
  if (expected.startsWith('{SHA}')) {
    want = expected.slice(5).toLowerCase();
    got = createHash('sha1').update(given).digest('hex');
  }
  const a = Buffer.from(want);
  const b = Buffer.from(got);
  return a.length === b.length && timingSafeEqual(a, b);
}

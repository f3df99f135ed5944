/**
 * HTTP Basic authentication as supervisor's auth_handler does it: no `Authorization` header,
 * another scheme or a wrong user/password is 401; a header that is not base64 is 400. The
 * password comparison (cleartext or `{SHA}` hex) is the control socket's.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { passwordMatches } from '../calls/credentials.js';

export interface Credentials {
  username: string;
  password: string;
}

export interface AuthConfig {
  username: string | null;
  password: string | null;
}

export type AuthOutcome = { ok: true; credentials: Credentials | null } | { ok: false; status: 400 | 401 };

export function authenticate(config: AuthConfig, headers: IncomingHttpHeaders): AuthOutcome {
  if (config.username === null) return { ok: true, credentials: null };
  const header = headers['authorization'];
  const m = typeof header === 'string' ? /^\s*(\S+)\s+(.*)$/.exec(header) : null;
  if (!m || m[1]!.toLowerCase() !== 'basic') return { ok: false, status: 401 };
  const cookie = m[2]!.trim();
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(cookie) || cookie.length % 4 !== 0) return { ok: false, status: 400 };
  const decoded = Buffer.from(cookie, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return { ok: false, status: 401 };
  const credentials = { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  if (credentials.username !== config.username || !passwordMatches(config.password ?? '', credentials.password)) {
    return { ok: false, status: 401 };
  }
  return { ok: true, credentials };
}

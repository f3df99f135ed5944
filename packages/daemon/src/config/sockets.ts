/**
 * `[fcgi-program:x] socket=` URLs (options.parse_fcgi_socket):
 * - `unix:///absolute/path` (normalized),
 * - `tcp://host:port` — host lower-cased; beyond supervisor, an IPv6 literal in brackets
 *   (`tcp://[::1]:9001`) is accepted and stored without brackets. Nothing is resolved here.
 */
import { isAbsolute, normalize } from 'node:path';
import type { SocketAddress } from './types.js';
import { BadValue } from './errors.js';
import { toPortNumber } from './values.js';

const TCP = /^tcp:\/\/(?:\[([0-9A-Fa-f:.]+(?:%[\w.-]+)?)\]|([^\s:[\]]+)):(\d+)$/;

export function toSocketAddress(url: string): SocketAddress {
  if (url.startsWith('unix://')) {
    const path = url.slice('unix://'.length);
    if (!isAbsolute(path)) throw new BadValue(`Unix socket path ${path} is not an absolute path`);
    const normalized = normalize(path).replace(/(.)\/+$/, '$1');
    return { kind: 'unix', path: normalized, url: `unix://${normalized}` };
  }
  const m = TCP.exec(url);
  if (!m) {
    throw new BadValue(`Bad socket format ${url} (expected tcp://host:port, tcp://[ipv6]:port or unix:///absolute/path)`);
  }
  const ipv6 = m[1] !== undefined;
  const host = (m[1] ?? m[2]).toLowerCase();
  const port = toPortNumber(m[3]);
  return { kind: 'tcp', host, port, url: ipv6 ? `tcp://[${host}]:${port}` : `tcp://${host}:${port}` };
}

export function isUnixSocketUrl(url: string): boolean {
  return url.startsWith('unix://');
}

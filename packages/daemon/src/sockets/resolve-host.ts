/**
 * `socket=tcp://localhost:9000`: supervisor binds an AF_INET socket to the name as Python
 * resolves it (the first IPv4 address). The native layer takes numeric addresses only, so a
 * name is resolved here, once, when the socket is opened: through the system's resolver
 * (nsswitch: /etc/hosts, then DNS) with `getent ahostsv4`, bounded to 5 s.
 */
import { execFileSync } from 'node:child_process';
import { isIP } from 'node:net';

export function numericHost(host: string): string {
  if (host === '' || host === '*' || isIP(host) !== 0) return host;
  let out = '';
  try {
    out = execFileSync('getent', ['ahostsv4', host], { encoding: 'utf8', timeout: 5_000, stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    /* not found (exit 2) or no getent: reported below */
  }
  const address = out.split('\n')[0]?.split(/\s+/)[0] ?? '';
  if (isIP(address) !== 4) throw new Error(`cannot resolve host '${host}' to an IPv4 address`);
  return address;
}

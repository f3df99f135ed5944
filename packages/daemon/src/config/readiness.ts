/**
 * tsupervisor's `ready=` and `ready_timeout=` (issue 16): how a process says it is ready, read
 * into a ReadyCheck. A pure converter like values.ts: it throws BadValue with the reason and the
 * section reader names the file, line, key and value.
 *
 *   notify                  systemd's sd_notify protocol (NOTIFY_SOCKET, READY=1)
 *   fd:N                    a line written to the process's fd N (N >= 3; s6/dinit style)
 *   tcp:HOST:PORT           a TCP connect succeeds (IPv6 in brackets: tcp:[::1]:80)
 *   http://HOST:PORT/PATH   a GET answers 2xx
 *   exec:COMMAND            COMMAND exits 0 (split like command=, no shell)
 *   log:REGEX               a line of the process's stdout matches REGEX (JavaScript syntax)
 *
 * `healthcheck=` takes the same forms but fd:N, and its timings (toHealthCheck, toSeconds).
 */
import { BadValue } from './errors.js';
import { splitCommand } from './shlex.js';
import type { HealthCheck, ReadyCheck } from './types.js';

export function toReadyCheck(s: string): ReadyCheck {
  const v = s.trim();
  if (v === 'notify') return { kind: 'notify', text: v };
  const colon = v.indexOf(':');
  const form = colon < 0 ? v : v.slice(0, colon);
  const rest = colon < 0 ? '' : v.slice(colon + 1);
  switch (form) {
    case 'fd': {
      if (!/^\d+$/.test(rest)) throw new BadValue('fd: needs a file descriptor number (fd:3)');
      const fd = Number(rest);
      if (fd < 3 || fd > 1023) throw new BadValue('fd: must be between 3 and 1023 (0, 1 and 2 are stdin, stdout and stderr)');
      return { kind: 'fd', fd, text: v };
    }
    case 'tcp': {
      const { host, port } = hostPort(rest, 'tcp:');
      return { kind: 'tcp', host, port, text: v };
    }
    case 'http': {
      let url: URL;
      try {
        url = new URL(v);
      } catch {
        throw new BadValue('not a valid http:// URL');
      }
      if (url.username || url.password || url.hash) throw new BadValue('http: takes no credentials or #fragment');
      if (!url.hostname) throw new BadValue('http: needs a host');
      return { kind: 'http', url: url.href, text: v };
    }
    case 'exec': {
      let argv: string[];
      try {
        argv = splitCommand(rest);
      } catch (e) {
        throw new BadValue(`exec: cannot split the command: ${(e as Error).message}`);
      }
      if (argv.length === 0) throw new BadValue('exec: needs a command');
      return { kind: 'exec', argv, text: v };
    }
    case 'log': {
      if (rest === '') throw new BadValue('log: needs a regular expression');
      try {
        new RegExp(rest);
      } catch (e) {
        throw new BadValue(`log: bad regular expression: ${(e as Error).message}`);
      }
      return { kind: 'log', pattern: rest, text: v };
    }
    default:
      throw new BadValue('expected notify, fd:N, tcp:HOST:PORT, http://HOST:PORT/PATH, exec:COMMAND or log:REGEX');
  }
}

function hostPort(s: string, what: string): { host: string; port: number } {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:\s[\]]+)):(\d+)$/.exec(s);
  if (!m) throw new BadValue(`${what} needs HOST:PORT (IPv6 as [::1]:PORT)`);
  const port = Number(m[3]);
  if (port < 1 || port > 65535) throw new BadValue(`${what} port must be 1-65535`);
  return { host: m[1] ?? m[2]!, port };
}

/** ready_timeout=: seconds, > 0 (fractions allowed: 0.5). */
export function toReadyTimeout(s: string): number {
  const t = s.trim();
  if (!/^\d+(\.\d+)?$/.test(t) || Number(t) <= 0) throw new BadValue('must be a number of seconds > 0');
  return Number(t);
}

/** healthcheck=: a ready= form but fd:N (a line written once says nothing of later health). */
export function toHealthCheck(s: string): HealthCheck {
  const check = toReadyCheck(s);
  if (check.kind === 'fd') throw new BadValue('fd:N is a ready= form only: use notify, tcp:HOST:PORT, http://HOST:PORT/PATH, exec:COMMAND or log:REGEX');
  return check;
}

/** healthcheck_start_period=: seconds, >= 0. */
export function toSeconds(s: string): number {
  const t = s.trim();
  if (!/^\d+(\.\d+)?$/.test(t)) throw new BadValue('must be a number of seconds >= 0');
  return Number(t);
}

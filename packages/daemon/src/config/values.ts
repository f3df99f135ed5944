/**
 * Value converters: supervisor's `datatypes.py`, as pure functions from the (expanded) string
 * to a typed value. Each throws BadValue with a short reason; the section reader adds file,
 * line, section, key and value.
 */
import type { AutoRestart, SupervisordConfig } from './types.js';
import { BadValue } from './errors.js';
import { parseSignal, pyRepr, signalNameOf } from '@tsupervisor/protocol';
import { keyValueTokens } from './shlex.js';

const TRUTHY = ['yes', 'true', 'on', '1'];
const FALSY = ['no', 'false', 'off', '0'];

/** true/false, yes/no, on/off, 1/0, any case. */
export function toBoolean(s: string): boolean {
  const v = s.toLowerCase();
  if (TRUTHY.includes(v)) return true;
  if (FALSY.includes(v)) return false;
  throw new BadValue('not a valid boolean value (true/false, yes/no, on/off, 1/0)');
}

/** Python `int(s)`: optional sign, decimal digits (underscores between digits), spaces around. */
export function toInteger(s: string): number {
  const t = s.trim();
  if (!/^[+-]?\d+(_\d+)*$/.test(t)) throw new BadValue('not an integer');
  return Number(t.replace(/_/g, ''));
}

/** Python `int(s, 8)`: `022`, `0o22`, `22`. For umask, chmod, socket_mode. */
export function toOctal(s: string): number {
  const t = s.trim();
  const m = /^([+-]?)(?:0[oO]_?)?([0-7]+(?:_[0-7]+)*)$/.exec(t);
  if (!m) throw new BadValue(`${s} can not be converted to an octal type`);
  const n = parseInt(m[2].replace(/_/g, ''), 8);
  return m[1] === '-' ? -n : n;
}

const SIZE_SUFFIXES: ReadonlyArray<[string, number]> = [
  ['kb', 1024],
  ['mb', 1024 * 1024],
  ['gb', 1024 * 1024 * 1024],
];

/** `50MB`, `10kb`, `1GB`, `0`, plain bytes; suffix case-insensitive. */
export function toByteSize(s: string): number {
  const v = s.toLowerCase();
  try {
    for (const [suffix, factor] of SIZE_SUFFIXES) {
      if (v.endsWith(suffix)) return toInteger(v.slice(0, -suffix.length)) * factor;
    }
    return toInteger(v);
  } catch {
    throw new BadValue('not a byte size (an integer, optionally followed by KB, MB or GB)');
  }
}

/** `0,2` → [0, 2]; each 0..255; empty → []. */
export function toExitCodes(s: string): number[] {
  if (s === '') return [];
  const codes = s.split(',').map((part) => {
    let n: number;
    try {
      n = toInteger(part);
    } catch {
      throw new BadValue(`not a valid list of exit codes: ${pyRepr(s)}`);
    }
    if (n < 0 || n > 255) throw new BadValue(`not a valid list of exit codes: ${pyRepr(s)} (Invalid exit code "${n}")`);
    return n;
  });
  return codes;
}

/** Python `[x.strip() for x in s.split(',')]`; empty → []. */
export function toListOfStrings(s: string): string[] {
  if (s === '') return [];
  return s.split(',').map((x) => x.trim());
}

/** true/false (any boolean spelling) or `unexpected`. */
export function toAutoRestart(s: string): AutoRestart {
  const v = s.toLowerCase();
  if (TRUTHY.includes(v)) return 'true';
  if (FALSY.includes(v)) return 'false';
  if (v === 'unexpected') return 'unexpected';
  throw new BadValue(`invalid 'autorestart' value ${pyRepr(v)} (true, false or unexpected)`);
}

const LOG_LEVELS: ReadonlyArray<SupervisordConfig['loglevel']> = [
  'critical',
  'error',
  'warn',
  'info',
  'debug',
  'trace',
  'blather',
];

export function toLogLevel(s: string): SupervisordConfig['loglevel'] {
  const v = s.toLowerCase() as SupervisordConfig['loglevel'];
  if (LOG_LEVELS.includes(v)) return v;
  throw new BadValue(`bad logging level name ${pyRepr(s)} (${LOG_LEVELS.join(', ')})`);
}

/**
 * `KEY="val",K2=val2` → { KEY: 'val', K2: 'val2' } — datatypes.dict_of_key_value_pairs: shlex
 * tokens taken as `key = value` triples, the token after each triple (normally `,`) skipped,
 * quotes stripped from both ends of the value.
 */
export function toKeyValuePairs(s: string): Record<string, string> {
  let tokens: string[];
  try {
    tokens = keyValueTokens(s);
  } catch (e) {
    throw new BadValue((e as Error).message);
  }
  const out: Record<string, string> = {};
  for (let i = 0; i < tokens.length; i += 4) {
    const [key, eq, value] = tokens.slice(i, i + 3);
    if (value === undefined || eq !== '=') throw new BadValue(`Unexpected end of key/value pairs in value ${pyRepr(s)}`);
    out[key] = value.replace(/^['"]+|['"]+$/g, '');
  }
  return out;
}

/**
 * datatypes.process_or_group_name: trimmed; no space, colon or slash (they would break the
 * event listener protocol and the web UI's URLs).
 */
export function toProcessOrGroupName(s: string): string {
  const name = s.trim();
  for (const ch of ' :/') {
    if (name.includes(ch)) throw new BadValue(`Invalid name: ${pyRepr(s)} because of character: ${pyRepr(ch)}`);
  }
  return name;
}

/** 1..65535. */
export function toPortNumber(s: string): number {
  const n = toInteger(s);
  if (n < 1) throw new BadValue(`${n} is below lower bound (1)`);
  if (n > 0xffff) throw new BadValue(`${n} is above upper bound (65535)`);
  return n;
}

/**
 * [inet_http_server] port: `host:port`, `:port`, `*:port` or `port`; host '' = all interfaces.
 * `[::1]:9001` is accepted with the brackets stripped (supervisor itself binds IPv4 only).
 */
export function toInetAddress(s: string): { host: string; port: number } {
  const colon = s.lastIndexOf(':');
  if (colon === -1) {
    try {
      return { host: '', port: toPortNumber(s) };
    } catch {
      throw new BadValue(`not a valid port number: ${pyRepr(s)}`);
    }
  }
  let host = s.slice(0, colon).toLowerCase();
  const port = s.slice(colon + 1);
  if (port === '') throw new BadValue(`no port number specified in ${pyRepr(s)}`);
  if (host === '*') host = '';
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  return { host, port: toPortNumber(port) };
}

/**
 * stopsignal=: `TERM` / `SIGTERM` / `term` / `15` → 'TERM' (canonical, no SIG prefix), read as
 * datatypes.signal_number reads it through the one table (@tsupervisor/protocol's
 * python/signals.ts). One difference on purpose: supervisor also takes 0 (SIG_DFL's value is in
 * its SIGNUMS) and then stops the process with "signal 0", which sends nothing; a stop signal
 * here must be a signal, so a number no signal has is refused as "not a valid signal number".
 */
export function toSignalName(s: string): string {
  const parsed = parseSignal(s);
  const name = 'num' in parsed ? signalNameOf(parsed.num) : undefined;
  if (name === undefined) {
    const what = 'refused' in parsed && parsed.refused === 'name' ? 'name' : 'number';
    throw new BadValue(`value ${pyRepr(s)} is not a valid signal ${what}`);
  }
  return name;
}

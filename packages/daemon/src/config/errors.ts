/**
 * Errors of the config reader.
 *
 * `BadValue` is what the pure converters (values.ts, expand.ts, …) throw: they know what is
 * wrong with a string but not where it came from. The section reader catches it and throws a
 * `ConfigError`, which knows the file, line, section, key and value, and renders as ONE line:
 *
 *     Error: /etc/supervisord.conf:42: [program:web] startsecs = "abc": not an integer
 *
 * A ConfigError is a TsvError: its code says what kind of problem it is (CONFIG_NOT_FOUND for a
 * missing file, which supervisord reports in its own words; CONFIG_INVALID for the rest).
 */
import { ErrorCodes, TsvError, type ErrorCode } from '@tsupervisor/protocol';

/** A value that a converter rejects; the message says why (no position). */
export class BadValue extends Error {
  override name = 'BadValue';
}

export interface ConfigErrorInfo {
  file: string;
  /** 1-based line; omitted (or 0) when the problem is the file as a whole. */
  line?: number;
  section?: string;
  key?: string;
  /** The value as written in the file (before expansion). */
  value?: string;
  message: string;
  /** CONFIG_INVALID unless said otherwise. */
  code?: ErrorCode;
}

export class ConfigError extends TsvError {
  override name = 'ConfigError';
  readonly file: string;
  readonly line: number;
  readonly section: string | undefined;
  readonly key: string | undefined;
  readonly value: string | undefined;
  /** The bare reason, without the position prefix (`.message` has both). */
  readonly reason: string;
  /**
   * tsupervisord's exit status when this stops start-up: 2 as supervisord's usage error, 1 where
   * supervisord reads the value and then dies using it (a main log that cannot be opened).
   */
  exitCode = 2;

  constructor(info: ConfigErrorInfo) {
    super(info.code ?? ErrorCodes.CONFIG_INVALID, renderConfigProblem(info));
    this.file = info.file;
    this.line = info.line ?? 0;
    this.section = info.section;
    this.key = info.key;
    this.value = info.value;
    this.reason = info.message;
  }

  /** One line, as printed by tsupervisord before it exits (with `exitCode`). */
  override toString(): string {
    return `Error: ${this.message}`;
  }
}

/**
 * `file:line: [section] key = "value": message` — each part only when known. JSON quoting keeps
 * multi-line values (continuation lines) on one line.
 */
export function renderConfigProblem(info: ConfigErrorInfo): string {
  const where = info.line ? `${info.file}:${info.line}` : info.file;
  let what = '';
  if (info.section !== undefined) {
    what = `[${info.section}]`;
    if (info.key !== undefined) {
      what += info.value !== undefined ? ` ${info.key} = ${JSON.stringify(info.value)}` : ` ${info.key}`;
    }
  } else if (info.key !== undefined) {
    what = info.value !== undefined ? `${info.key} = ${JSON.stringify(info.value)}` : info.key;
  }
  const reason = oneLine(info.message);
  return what ? `${where}: ${what}: ${reason}` : `${where}: ${reason}`;
}

function oneLine(s: string): string {
  return s.replace(/\r?\n/g, '\\n');
}

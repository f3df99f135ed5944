/**
 * Errors that code tells apart by their `code`, never by their text: the message is for people
 * and may be reworded (modelled on pnpm's `PnpmError(code, message, {hint})`). Supervisor's
 * faults have their own numeric codes (faults.ts); these are tsupervisor's other failures that
 * more than one place has to recognise.
 */
export const ErrorCodes = {
  /** The control connection ended before its answer (the daemon exited or restarted, or the client closed it). */
  CONNECTION_CLOSED: 'CONNECTION_CLOSED',
  /** The config file given (-c) or found does not exist. */
  CONFIG_NOT_FOUND: 'CONFIG_NOT_FOUND',
  /** A config file that exists but cannot be read or is not valid. */
  CONFIG_INVALID: 'CONFIG_INVALID',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

export class TsvError extends Error {
  readonly code: ErrorCode;
  /** What the reader may do about it, for a second line (not part of `message`). */
  readonly hint: string | undefined;

  constructor(code: ErrorCode, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TsvError';
    this.code = code;
    this.hint = options.hint;
  }
}

/** Whether `err` is a TsvError with this code. */
export function hasCode(err: unknown, code: ErrorCode): err is TsvError {
  return err instanceof TsvError && err.code === code;
}

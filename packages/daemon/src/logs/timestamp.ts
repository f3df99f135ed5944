/**
 * Timestamps as supervisor's logger writes them (loggers.py LogRecord.asdict): local time,
 * `YYYY-MM-DD HH:MM:SS,mmm`, milliseconds truncated. Pure.
 */

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** `2026-11-26 16:20:06,123` for the given instant, in local time. */
export function formatLogTime(date: Date): string {
  return (
    `${pad(date.getFullYear(), 4)}-${pad(date.getMonth() + 1, 2)}-${pad(date.getDate(), 2)} ` +
    `${pad(date.getHours(), 2)}:${pad(date.getMinutes(), 2)}:${pad(date.getSeconds(), 2)},` +
    pad(date.getMilliseconds(), 3)
  );
}

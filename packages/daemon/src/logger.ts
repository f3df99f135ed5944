/** What the daemon needs of a logger; logs/main-log.ts provides the real one. */
export type LogLevel = 'critical' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'blather';

export interface Logger {
  log(level: LogLevel, message: string): void;
}

/** A logger that writes supervisor-style lines to stderr (used before the main log is open). */
export const stderrLogger: Logger = {
  log(level, message) {
    process.stderr.write(`${level.toUpperCase()} ${message}\n`);
  },
};

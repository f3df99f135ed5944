/** Notifications the daemon pushes to a connection that asked for them (no polling). */
import type { LogChannel } from './types.js';

export interface Notifications {
  /**
   * A chunk appended to a followed log. `name` is the namespec, or `supervisord` for the main log.
   * `head`: the log's last bytes, asked by followLogs' `head` (sent before its chunks);
   * `partial`: the log holds more before them (the head may start inside a line).
   * `skipped`: this many bytes of the log were deleted (rotated out of the last backup,
   * cleared) before the follower read them; the data goes on after them.
   * `end`: the daemon stops following (why, as a sentence) and closes the stream.
   * `pos`: a log followed in its file: the position after this chunk (followLogs' `from`).
   */
  'tsupervisor.log': { name: string; channel: LogChannel; data: string; head?: boolean; partial?: boolean; skipped?: number; end?: string; pos?: number };
  /** An event of supervisor's event system (§4): its type name and its payload as key/values. */
  'tsupervisor.event': { serial: number; type: string; payload: Record<string, string>; data?: string };
  /**
   * The daemon closes this connection for idleness, or because it re-executes itself (`reexec`:
   * the same daemon answers again on the same socket within moments; a follower reconnects and
   * resumes). It reads no further request on it: one the client sent that is still unanswered
   * was never handled, and may be sent again elsewhere.
   */
  'tsupervisor.closing': { reason: 'idle'; seconds: number } | { reason: 'reexec' };
}

export type NotificationName = keyof Notifications;

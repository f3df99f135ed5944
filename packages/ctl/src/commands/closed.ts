/** The daemon closed the connection before answering (it may do so while restarting or exiting). */
import { ErrorCodes, hasCode } from '@tsupervisor/protocol';

export function closedByDaemon(err: unknown): boolean {
  return hasCode(err, ErrorCodes.CONNECTION_CLOSED);
}

/** The daemon closed the connection before answering (it may do so while restarting or exiting). */
export function closedByDaemon(err: unknown): boolean {
  return err instanceof Error && /connection closed/.test(err.message);
}

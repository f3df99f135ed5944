/**
 * One sd_notify datagram (systemd's sd_notify(3)): newline-separated KEY=VALUE assignments.
 * Pure: a parse that never throws; a datagram with no assignment at all is garbage (null).
 */
export interface NotifyMessage {
  ready: boolean;
  /** STATUS=: free text for `status`. */
  status?: string;
  /** MAINPID=: read, not acted on yet (the supervised pid stays the one the daemon spawned). */
  mainpid?: number;
  /** EXTEND_TIMEOUT_USEC=: read, not acted on yet (ready_timeout is not extended). */
  extendTimeoutUsec?: number;
  /** STOPPING=1: read, no effect yet. WATCHDOG=1: a healthcheck=notify check passes (health/). */
  stopping: boolean;
  watchdog: boolean;
}

/** Longest STATUS= text kept (the rest is cut). */
export const MAX_STATUS = 256;

export function parseNotify(data: Buffer): NotifyMessage | null {
  const text = data.toString('utf8');
  if (text.includes('\0') || text.includes('\uFFFD')) return null;
  const msg: NotifyMessage = { ready: false, stopping: false, watchdog: false };
  let assignments = 0;
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const key = line.slice(0, eq);
    const value = line.slice(eq + 1);
    if (!/^[A-Z_][A-Z0-9_]*$/.test(key)) continue;
    assignments++;
    if (key === 'READY') msg.ready = value === '1';
    else if (key === 'STATUS') msg.status = value.slice(0, MAX_STATUS).replace(/[\x00-\x1f\x7f]/g, ' ');
    else if (key === 'MAINPID' && /^\d+$/.test(value)) msg.mainpid = Number(value);
    else if (key === 'EXTEND_TIMEOUT_USEC' && /^\d+$/.test(value)) msg.extendTimeoutUsec = Number(value);
    else if (key === 'STOPPING') msg.stopping = value === '1';
    else if (key === 'WATCHDOG') msg.watchdog = value === '1';
  }
  return assignments > 0 ? msg : null;
}

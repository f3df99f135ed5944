/**
 * The audit trail of the control socket (tsupervisor only): one line per state-changing call,
 * refused ones included, naming who called (the peer's uid from SO_PEERCRED, its user name,
 * its pid). It goes to its own file so that the main log stays byte for byte supervisord's.
 *
 *   2026-11-26 19:50:00,123 supervisor.startProcess name=web uid=0(root) pid=4242 ok
 *   2026-11-26 19:50:01,456 supervisor.stopProcess name=web uid=65534(nobody) pid=4250 refused UNAUTHORIZED
 *
 * `ok` means the call was let through to its handler (which may still answer with a fault such
 * as BAD_NAME); `refused FAULT` that it was turned away before (bad credentials, shutting down,
 * bad arguments). Every line is appended with its own open(O_APPEND), so a rotation of the
 * file by another tool (logrotate) needs no signal; the file is never rotated by the daemon.
 */
import { appendFile, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { SupervisordConfig } from '../config/types.js';
import type { Logger } from '../logger.js';
import { formatLogTime } from '../logs/timestamp.js';
import { getpwuid } from '../native/index.js';

export const AUDIT_AUTO_NAME = 'tsupervisord-audit.log';

/** Who called: the peer's credentials on a Unix socket (SO_PEERCRED), its address on TCP. */
export type Caller = { uid: number; pid: number } | { remote: string };

/** `uid=0(root) pid=42`, `from=127.0.0.1:5432`, or `uid=? pid=?` when unknown. */
export function describeCaller(caller: Caller | undefined): string {
  if (!caller) return 'uid=? pid=?';
  if ('remote' in caller) return `from=${clean(caller.remote)}`;
  const name = userName(caller.uid);
  return `uid=${caller.uid}${name !== null ? `(${clean(name)})` : ''} pid=${caller.pid}`;
}

export interface AuditLog {
  record(method: string, params: unknown, caller: Caller | undefined, refused: string | null): void;
}

/**
 * Where `audit_logfile` writes: a path, null for NONE; AUTO is `tsupervisord-audit.log` beside
 * the main log when that is a regular file (or not there yet), else (logfile=syslog, or a
 * special file such as /dev/stdout) in childlogdir.
 */
export function auditPath(server: Pick<SupervisordConfig, 'logfile' | 'childlogdir'> & { auditLogfile?: string | null }): string | null {
  const setting = server.auditLogfile === undefined ? 'AUTO' : server.auditLogfile;
  if (setting === null) return null;
  if (setting !== 'AUTO') return setting;
  if (server.logfile !== 'syslog') {
    let regular = true;
    try {
      regular = statSync(server.logfile).isFile();
    } catch {
      /* not there yet: the main log will create a regular file */
    }
    if (regular) return join(dirname(server.logfile), AUDIT_AUTO_NAME);
  }
  return join(server.childlogdir, AUDIT_AUTO_NAME);
}

/** The user name of a uid, looked up once per uid (the passwd file rarely changes). */
const names = new Map<number, string | null>();
function userName(uid: number): string | null {
  if (!names.has(uid)) {
    let name: string | null = null;
    try {
      name = getpwuid(uid)?.name ?? null;
    } catch {
      /* no name: the uid alone */
    }
    if (names.size > 1000) names.clear();
    names.set(uid, name);
  }
  return names.get(uid) ?? null;
}

/** Printable and on one line: control characters and spaces of a name are escaped. */
function clean(value: string): string {
  return JSON.stringify(value).slice(1, -1).replace(/ /g, '\\u0020');
}

function target(params: unknown): string {
  if (!params || typeof params !== 'object') return '';
  const p = params as Record<string, unknown>;
  const parts: string[] = [];
  if (typeof p['name'] === 'string') parts.push(`name=${clean(p['name'])}`);
  if (Array.isArray(p['names'])) parts.push(`names=${p['names'].map((n) => clean(String(n))).join(',')}`);
  if (typeof p['signal'] === 'string' || typeof p['signal'] === 'number') parts.push(`signal=${clean(String(p['signal']))}`);
  return parts.map((s) => ` ${s}`).join('');
}

export function openAuditLog(path: string | null, logger: Logger): AuditLog {
  if (path === null) return { record() {} };
  // Lines are appended in order, one write at a time; a failing file is reported once per
  // incident in the main log (at error level: the main log changes only when auditing fails).
  let queue: string[] = [];
  let writing = false;
  let failing = false;
  const flush = () => {
    if (writing || queue.length === 0) return;
    writing = true;
    const text = queue.join('');
    queue = [];
    appendFile(path, text, { mode: 0o600 }, (err) => {
      writing = false;
      if (err && !failing) logger.log('error', `audit log ${path}: ${err.message}`);
      failing = Boolean(err);
      flush();
    });
  };
  return {
    record(method, params, caller, refused) {
      queue.push(`${formatLogTime(new Date())} ${method}${target(params)} ${describeCaller(caller)} ${refused === null ? 'ok' : `refused ${refused}`}\n`);
      if (queue.length > 10_000) queue.splice(0, queue.length - 10_000);
      flush();
    },
  };
}

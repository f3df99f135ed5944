/**
 * [supervisord] user= (and -u): supervisord's drop_privileges at start-up, before the main log,
 * the control socket and any program are opened. As root: supplementary groups of the user,
 * then its group, then its uid. Not root: only "dropping" to the uid one already has succeeds;
 * any other user is refused with supervisord's message and why (it needs root), where
 * supervisord 4.2.5 says only "Can't drop privilege as nonroot user".
 */
import { nameToUid, type UserDb } from './config/users.js';

export class PrivilegeError extends Error {}

/** The line to log when it succeeded ('Set uid to user N succeeded'), or null when no user= is set. */
export function dropPrivileges(user: string | null, db: UserDb): string | null {
  if (user === null) return null;
  let uid: number;
  try {
    uid = nameToUid(db, user);
  } catch (err) {
    throw new PrivilegeError((err as Error).message);
  }
  const current = process.getuid!();
  if (current !== uid) {
    if (current !== 0) {
      throw new PrivilegeError(
        `Can't drop privilege as nonroot user (user=${user} needs tsupervisord started as root; ` +
          `running as uid ${current}: remove user= to run as yourself)`,
      );
    }
    const entry = db.getpwuid(uid)!;
    // process.initgroups exists on POSIX (Node's docs) but @types/node does not declare it
    (process as NodeJS.Process & { initgroups(user: string, extraGroup: number): void }).initgroups(entry.name, entry.gid);
    process.setgid!(entry.gid);
    process.setuid!(uid);
  }
  return `Set uid to user ${uid} succeeded`;
}

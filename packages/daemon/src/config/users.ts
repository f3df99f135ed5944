/**
 * User and group lookup with getpwnam/getpwuid/getgrnam/getgrgid semantics, read straight from
 * /etc/passwd and /etc/group so the config reader needs no native addon. (Accounts that only
 * exist in NSS sources such as LDAP are not seen: a limitation worth knowing.)
 *
 * Also datatypes.name_to_uid / name_to_gid / colon_separated_user_group with supervisor's
 * messages ("Invalid user name foo").
 */
import { readFileSync } from 'node:fs';
import { BadValue } from './errors.js';

export interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

export interface GroupEntry {
  name: string;
  gid: number;
}

export interface UserDb {
  getpwnam(name: string): PasswdEntry | undefined;
  getpwuid(uid: number): PasswdEntry | undefined;
  getgrnam(name: string): GroupEntry | undefined;
  getgrgid(gid: number): GroupEntry | undefined;
}

/** A user, optionally with a group, resolved to ids (gid -1 = keep the file's group). */
export interface ResolvedOwner {
  user: string;
  group: string | null;
  uid: number;
  gid: number;
}

/** Reads the two files now (a reload reads them again). Missing files read as empty. */
export function readUserDb(passwdFile = '/etc/passwd', groupFile = '/etc/group'): UserDb {
  return userDbFromText(readOrEmpty(passwdFile), readOrEmpty(groupFile));
}

export function userDbFromText(passwd: string, group: string): UserDb {
  const users: PasswdEntry[] = [];
  for (const line of passwd.split('\n')) {
    const f = line.split(':');
    if (f.length < 7 || line.startsWith('#') || !/^\d+$/.test(f[2]) || !/^\d+$/.test(f[3])) continue;
    users.push({ name: f[0], uid: Number(f[2]), gid: Number(f[3]), home: f[5] });
  }
  const groups: GroupEntry[] = [];
  for (const line of group.split('\n')) {
    const f = line.split(':');
    if (f.length < 3 || line.startsWith('#') || !/^\d+$/.test(f[2])) continue;
    groups.push({ name: f[0], gid: Number(f[2]) });
  }
  // The first matching line wins, as with the files NSS backend.
  return {
    getpwnam: (name) => users.find((u) => u.name === name),
    getpwuid: (uid) => users.find((u) => u.uid === uid),
    getgrnam: (name) => groups.find((g) => g.name === name),
    getgrgid: (gid) => groups.find((g) => g.gid === gid),
  };
}

function readOrEmpty(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** A user name or numeric id that must exist → uid. */
export function nameToUid(db: UserDb, name: string): number {
  if (/^[+-]?\d+$/.test(name.trim())) {
    const uid = Number(name.trim());
    if (!db.getpwuid(uid)) throw new BadValue(`Invalid user id ${name}`);
    return uid;
  }
  const entry = db.getpwnam(name);
  if (!entry) throw new BadValue(`Invalid user name ${name}`);
  return entry.uid;
}

/** A group name or numeric id that must exist → gid. */
export function nameToGid(db: UserDb, name: string): number {
  if (/^[+-]?\d+$/.test(name.trim())) {
    const gid = Number(name.trim());
    if (!db.getgrgid(gid)) throw new BadValue(`Invalid group id ${name}`);
    return gid;
  }
  const entry = db.getgrnam(name);
  if (!entry) throw new BadValue(`Invalid group name ${name}`);
  return entry.gid;
}

/** `user` or `user:group` (chown, socket_owner). */
export function toOwner(db: UserDb, s: string): ResolvedOwner {
  const colon = s.indexOf(':');
  const user = colon === -1 ? s : s.slice(0, colon);
  const group = colon === -1 ? null : s.slice(colon + 1);
  try {
    return { user, group, uid: nameToUid(db, user), gid: group === null ? -1 : nameToGid(db, group) };
  } catch (e) {
    throw new BadValue(`Invalid user:group definition ${s} (${(e as Error).message})`);
  }
}

/** The owner supervisor gives a socket of a `user=` program: that user and its primary group. */
export function ownerForUid(db: UserDb, uid: number): ResolvedOwner {
  const pw = db.getpwuid(uid);
  const gid = pw?.gid ?? -1;
  const group = db.getgrgid(gid)?.name ?? String(gid);
  return { user: pw?.name ?? String(uid), group, uid, gid };
}

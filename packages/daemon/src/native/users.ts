/**
 * Resource limits (minfds, minprocs) and the user and group database (user=, chown=), with
 * the reentrant _r calls (tsv_native.c).
 */
import { native, type PasswdEntry, type Rlimit, type RlimitResource } from './addon.js';

export function getrlimit(resource: RlimitResource): Rlimit {
  return native().getrlimit(resource);
}

/** Infinity = unlimited. Raising the hard limit needs root (EPERM otherwise). */
export function setrlimit(resource: RlimitResource, soft: number, hard: number): void {
  native().setrlimit(resource, soft, hard);
}

export function getpwnam(name: string): PasswdEntry | null {
  return native().getpwnam(name);
}

export function getpwuid(uid: number): PasswdEntry | null {
  return native().getpwuid(uid);
}

/** The gid of a group name, or null. */
export function getgrnam(name: string): number | null {
  return native().getgrnam(name);
}

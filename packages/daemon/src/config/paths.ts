/**
 * Path rules of supervisor's datatypes/options: `~` expansion, existing_directory,
 * existing_dirpath, logfile_name, normalize_path, tempfile.gettempdir(). Results are made
 * absolute against the given cwd (supervisor keeps some relative and opens them relative to
 * its working directory, which is the same thing as long as it has not daemonized).
 */
import { accessSync, constants, statSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { LogTarget } from './types.js';
import type { UserDb } from './users.js';
import { BadValue } from './errors.js';

export interface PathContext {
  cwd: string;
  env: NodeJS.ProcessEnv;
  users: UserDb;
  /** The daemon's uid (for `~` without HOME). */
  uid: number;
}

/** os.path.expanduser: `~` and `~/x` → $HOME (else the passwd home), `~user/x` → that user's home. */
export function expandUser(p: string, ctx: PathContext): string {
  if (!p.startsWith('~')) return p;
  const slash = p.indexOf('/');
  const name = slash === -1 ? p.slice(1) : p.slice(1, slash);
  const rest = slash === -1 ? '' : p.slice(slash);
  let home: string | undefined;
  if (name === '') home = ctx.env.HOME ?? ctx.users.getpwuid(ctx.uid)?.home;
  else home = ctx.users.getpwnam(name)?.home;
  if (home === undefined) return p;
  return home.replace(/\/+$/, '') + rest || '/';
}

/** normalize_path: `~` expanded, absolute, normalized. */
export function normalizePath(p: string, ctx: PathContext): string {
  return resolve(ctx.cwd, expandUser(p, ctx));
}

export function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** existing_directory: must be a directory now. */
export function existingDirectory(p: string, ctx: PathContext): string {
  const abs = resolve(ctx.cwd, expandUser(p, ctx));
  if (isDirectory(abs)) return abs;
  throw new BadValue(`${p} is not an existing directory`);
}

/** existing_dirpath: the directory part (if any) must exist; the file need not. */
export function existingDirpath(p: string, ctx: PathContext): string {
  const expanded = expandUser(p, ctx);
  const abs = resolve(ctx.cwd, expanded);
  if (!expanded.includes('/') || isDirectory(dirname(abs))) return abs;
  throw new BadValue(`The directory named as part of the path ${p} does not exist`);
}

/** logfile_name: NONE/OFF → none, AUTO → auto, syslog → syslog, else an existing_dirpath. */
export function toLogTarget(s: string, ctx: PathContext): LogTarget {
  const v = s.toLowerCase();
  if (v === 'none' || v === 'off') return { kind: 'none' };
  if (v === 'auto') return { kind: 'auto' };
  if (v === 'syslog') return { kind: 'syslog' };
  return { kind: 'path', path: existingDirpath(s, ctx) };
}

/** tempfile.gettempdir(): $TMPDIR, $TEMP, $TMP, /tmp, /var/tmp, /usr/tmp, cwd — first usable. */
export function defaultTempDir(ctx: PathContext): string {
  const candidates = [ctx.env.TMPDIR, ctx.env.TEMP, ctx.env.TMP, '/tmp', '/var/tmp', '/usr/tmp', ctx.cwd];
  for (const c of candidates) {
    if (!c) continue;
    const abs = isAbsolute(c) ? c : resolve(ctx.cwd, c);
    try {
      if (isDirectory(abs)) {
        accessSync(abs, constants.W_OK);
        return abs;
      }
    } catch {
      // not writable: try the next one
    }
  }
  return ctx.cwd;
}

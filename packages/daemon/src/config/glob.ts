/**
 * Python's `glob.glob(pattern)` (non-recursive) for [include] files=: `*`, `?`, `[seq]`, `[!seq]`
 * per path component; names starting with `.` only match a pattern component starting with `.`;
 * a pattern without magic characters matches itself if it exists. Results unsorted, as glob's
 * (the caller sorts). Node 20 has no fs.glob, hence this small module.
 */
import { lstatSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const MAGIC = /[*?[]/;

export function glob(pattern: string): string[] {
  if (!MAGIC.test(pattern)) return exists(pattern) ? [pattern] : [];
  const absolute = pattern.startsWith('/');
  const parts = pattern.split('/').filter((p, i) => p !== '' || i === 0);
  let paths: string[] = [absolute ? '/' : ''];
  for (let i = absolute ? 1 : 0; i < parts.length; i++) {
    const part = parts[i];
    const last = i === parts.length - 1;
    const next: string[] = [];
    for (const base of paths) {
      if (!MAGIC.test(part)) {
        const candidate = base === '' ? part : join(base, part);
        if (last ? exists(candidate) : isDir(candidate)) next.push(candidate);
        continue;
      }
      const regex = fnmatchToRegex(part);
      for (const name of listDir(base === '' ? '.' : base)) {
        if (name.startsWith('.') && !part.startsWith('.')) continue;
        if (!regex.test(name)) continue;
        const candidate = base === '' ? name : join(base, name);
        if (last || isDir(candidate)) next.push(candidate);
      }
    }
    paths = next;
  }
  return paths;
}

/** fnmatch.translate for one path component (case-sensitive, as on POSIX). */
export function fnmatchToRegex(pat: string): RegExp {
  let re = '';
  for (let i = 0; i < pat.length; i++) {
    const c = pat[i];
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      let j = i + 1;
      if (pat[j] === '!') j++;
      if (pat[j] === ']') j++;
      while (j < pat.length && pat[j] !== ']') j++;
      if (j >= pat.length) {
        re += '\\[';
      } else {
        let stuff = pat.slice(i + 1, j).replace(/\\/g, '\\\\');
        if (stuff.startsWith('!')) stuff = '^' + stuff.slice(1);
        else if (stuff.startsWith('^')) stuff = '\\' + stuff;
        re += `[${stuff.replace(/]/g, '\\]')}]`;
        i = j;
      }
    } else re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^(?:${re})$`, 's');
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function exists(p: string): boolean {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

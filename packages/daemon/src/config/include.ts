/**
 * [include] files= (options.ServerOptions.read_config): space-separated globs, expanded with
 * `here`, `host_node_name` and ENV_*, relative to the directory of the main file; the matches
 * of each glob are read in sorted order into the same document, so their sections merge with
 * the main file's (later keys win) and their values keep their own file (so their `%(here)s`
 * is their own directory).
 *
 * Like supervisor: no recursion ([include] in an included file is not followed: we warn), an
 * unmatched glob is a warning, and a file matched twice (even the main file itself) is simply
 * read again — supervisor accepts such "cycles", so a drop-in must too (we warn).
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { pyCompare } from '@tsupervisor/protocol';
import { glob } from './glob.js';
import { parseIni, type IniDocument, type IniValue } from './ini.js';
import { SectionReader } from './section.js';

export interface IncludeResult {
  /** Files read, in order (a file read twice appears twice). */
  read: string[];
  warnings: string[];
  /** What supervisor logs at INFO ("Included extra file … during parsing"). */
  infos: string[];
}

export function readIncludes(
  doc: IniDocument,
  mainFile: string,
  names: Readonly<Record<string, string>>,
  hostNodeName: string,
): IncludeResult {
  const result: IncludeResult = { read: [], warnings: [], infos: [] };
  const section = doc.sections.get('include');
  if (!section) return result;
  const r = new SectionReader(doc, section);
  if (!r.has('files')) throw r.error('files', '.ini file has [include] section, but no files setting');
  const own = r.raw('files')!;
  const patterns = r.string('files', { ...names, host_node_name: hostNodeName })!.split(/\s+/).filter(Boolean);
  const base = dirname(mainFile);
  const seen = new Set<string>([mainFile]);
  for (const written of patterns) {
    const pattern = isAbsolute(written) ? written : join(base, written);
    const matches = glob(pattern).sort(pyCompare);
    if (matches.length === 0) {
      result.warnings.push(`${own.file}:${own.line}: [include] files: No file matches via include "${pattern}"`);
      continue;
    }
    for (const file of matches) {
      result.infos.push(`Included extra file "${file}" during parsing`);
      if (seen.has(file)) {
        result.warnings.push(`${own.file}:${own.line}: [include] files: "${file}" is read a second time (it was already read)`);
      }
      seen.add(file);
      const text = readIncluded(file, own, result);
      if (text === null) continue;
      const before = doc.sections.get('include')?.values.get('files');
      parseIni(text, file, doc);
      const after = doc.sections.get('include')?.values.get('files');
      if (after && after !== before && after.file === file) {
        result.warnings.push(`${after.file}:${after.line}: [include] files: includes are not recursive: ignored`);
      }
      result.read.push(file);
    }
  }
  return result;
}

/** The text, or null (with a warning) for a directory or unreadable file, which Python skips. */
function readIncluded(file: string, own: IniValue, result: IncludeResult): string | null {
  try {
    if (statSync(file).isDirectory()) throw new Error('is a directory');
    return readFileSync(file, 'utf8');
  } catch (e) {
    result.warnings.push(`${own.file}:${own.line}: [include] files: cannot read "${file}" (${(e as Error).message}): skipped`);
    return null;
  }
}

/**
 * The INI reader, with the semantics of Python's
 * `configparser.RawConfigParser(inline_comment_prefixes=(';', '#'), strict=False)`, which is what
 * supervisor 4.2.5 reads its files with.
 *
 * Why not the npm `ini` package: it does not join indented continuation lines (a multi-line
 * `environment=` or `programs=` comes out as separate keys), it treats `#` as a comment even
 * without whitespace before it (`url=http://x/#frag` loses `#frag`), a repeated section replaces
 * the earlier one instead of merging, and it keeps no file/line positions, which our error
 * messages need. So this module reads the text itself.
 *
 * Rules reproduced (RawConfigParser._read):
 * - `[name]` starts a section (the header matches `\[(.+)\]` at the start of the line; trailing
 *   text after `]` is ignored). A repeated section is merged into the first; later keys win.
 *   `[DEFAULT]` holds fallbacks for every section.
 * - `key = value` or `key: value`, split at the first `=` or `:`; key lower-cased and trimmed,
 *   value trimmed.
 * - Full-line comments start with `;` or `#` (after optional indentation). Inline comments start
 *   with `;` or `#` at the start of the line or right after whitespace: `a=b#c` keeps `#c`.
 * - A line indented deeper than the line of the current key continues its value (joined with
 *   `\n`). Blank lines inside a value are kept; trailing blank lines are dropped.
 * - Text before the first section header is an error ("File contains no section headers").
 *   So is a UTF-8 byte order mark at the start of the file: supervisor reads its files as plain
 *   UTF-8, where the BOM is a character U+FEFF before the first header (our own trim() would
 *   drop it, hence the explicit check).
 */
import { ConfigError } from './errors.js';

/** One value, with the position of its `key = value` line. */
export interface IniValue {
  value: string;
  file: string;
  line: number;
}

export interface IniSection {
  name: string;
  /** Where the section first appeared (as supervisor's section_to_file). */
  file: string;
  line: number;
  values: Map<string, IniValue>;
}

export interface IniDocument {
  /** Sections in the order they first appeared (DEFAULT excluded). */
  sections: Map<string, IniSection>;
  /** Keys of `[DEFAULT]`: fallbacks for every section. */
  defaults: Map<string, IniValue>;
}

export const DEFAULT_SECTION = 'DEFAULT';
const COMMENT_PREFIXES = ['#', ';'];
const INLINE_COMMENT_PREFIXES = [';', '#'];
const SECTION_HEADER = /^\[(.+)\]/;
const BOM = '\uFEFF';
const OPTION_LINE = /^(.*?)\s*([=:])\s*(.*)$/;

export function emptyIniDocument(): IniDocument {
  return { sections: new Map(), defaults: new Map() };
}

/** A value under construction: its lines, joined when the file ends. */
interface PendingValue {
  target: Map<string, IniValue>;
  key: string;
  lines: string[];
  file: string;
  line: number;
}

/**
 * Parses `text` (the content of `file`) into `doc` (a new document unless given: pass the same
 * document to merge several files, as supervisor's includes do). Throws ConfigError on a line
 * before any section header or a line that is neither header, option nor comment.
 */
export function parseIni(text: string, file: string, doc: IniDocument = emptyIniDocument()): IniDocument {
  if (text.startsWith(BOM)) {
    throw new ConfigError({
      file,
      line: 1,
      message: `File contains no section headers: the file starts with a UTF-8 byte order mark (U+FEFF), which supervisord does not accept either; save it without one`,
    });
  }
  const lines = text.split(/\r\n|\r|\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  let current: Map<string, IniValue> | null = null;
  let sectionName: string | null = null;
  let pending: PendingValue | null = null;
  let indentLevel = 0;
  const finished: PendingValue[] = [];

  lines.forEach((raw, index) => {
    const lineno = index + 1;
    const commentStart = findCommentStart(raw);
    const value = (commentStart === null ? raw : raw.slice(0, commentStart)).trim();
    if (value === '') {
      // A blank line (not a comment line) inside a value is kept; newlines are added at join.
      if (commentStart === null && pending !== null) pending.lines.push('');
      return;
    }
    const curIndent = raw.search(/\S/);
    if (pending !== null && curIndent > indentLevel) {
      pending.lines.push(value);
      return;
    }
    indentLevel = curIndent;
    const header = SECTION_HEADER.exec(value);
    if (header) {
      sectionName = header[1];
      current = openSection(doc, sectionName, file, lineno);
      if (pending) finished.push(pending);
      pending = null;
      return;
    }
    if (current === null || sectionName === null) {
      throw new ConfigError({
        file,
        line: lineno,
        message: `File contains no section headers: ${JSON.stringify(raw)}`,
      });
    }
    const option = OPTION_LINE.exec(value);
    const key = option ? option[1].trimEnd().toLowerCase() : '';
    if (!option || key === '') {
      throw new ConfigError({
        file,
        line: lineno,
        section: sectionName,
        message: `Source contains parsing errors: not a section header, a "key = value" line or a comment: ${JSON.stringify(raw)}`,
      });
    }
    if (pending) finished.push(pending);
    pending = { target: current, key, lines: [option[3].trim()], file, line: lineno };
    // Set at once (so a later duplicate key replaces it in place); joined below.
    current.set(key, { value: '', file, line: lineno });
  });
  if (pending) finished.push(pending);
  for (const p of finished) {
    const entry = p.target.get(p.key);
    // A later duplicate of the same key (same section) wins: only write our own entry.
    if (entry && entry.file === p.file && entry.line === p.line) entry.value = p.lines.join('\n').trimEnd();
  }
  return doc;
}

/** Looks a key up as RawConfigParser.get does: the section first, then [DEFAULT]. */
export function iniLookup(doc: IniDocument, section: IniSection, key: string): IniValue | undefined {
  return section.values.get(key) ?? doc.defaults.get(key);
}

function openSection(doc: IniDocument, name: string, file: string, line: number): Map<string, IniValue> {
  if (name === DEFAULT_SECTION) return doc.defaults;
  let section = doc.sections.get(name);
  if (!section) {
    section = { name, file, line, values: new Map() };
    doc.sections.set(name, section);
  }
  return section.values;
}

/**
 * Index where a comment starts, or null. Full-line comments: the trimmed line starts with a
 * prefix. Inline: a prefix at index 0 or right after a whitespace character.
 */
function findCommentStart(line: string): number | null {
  const trimmed = line.trim();
  if (COMMENT_PREFIXES.some((p) => trimmed.startsWith(p))) return 0;
  let best: number | null = null;
  for (const prefix of INLINE_COMMENT_PREFIXES) {
    let index = line.indexOf(prefix);
    while (index !== -1) {
      if (index === 0 || /\s/.test(line[index - 1])) {
        if (best === null || index < best) best = index;
        break;
      }
      index = line.indexOf(prefix, index + 1);
    }
  }
  return best;
}

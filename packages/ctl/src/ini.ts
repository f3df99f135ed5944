/**
 * A tiny INI reader for the ctl's start-up path: it only needs `[supervisorctl]`, and it must
 * start fast (the ctl runs in shell loops), so it neither imports the daemon's config module
 * nor the `ini` package. It follows Python's RawConfigParser as supervisor configures it
 * (inline_comment_prefixes `;` `#`, strict=False) where the npm `ini` package does not:
 *  - indented continuation lines join the previous value with `\n` (ini: a separate key);
 *  - `;`/`#` start an inline comment only after whitespace (ini: `http://x/#frag` loses `#frag`);
 *  - a repeated section is merged, later keys win (ini: the later section replaces);
 *  - keys are lower-cased (optionxform), section names kept as written; `[DEFAULT]` keys show
 *    through in every section.
 * Simplification: a blank line ends a multi-line value (RawConfigParser keeps inner blank lines
 * when more indented lines follow); nothing in `[supervisorctl]` spans blank lines.
 * A UTF-8 byte order mark at the start is refused, as supervisorctl (which reads the file as
 * plain UTF-8) fails on it: the JS trim() would drop it silently.
 */
import { pyCompare, pyRepr } from '@tsupervisor/protocol';

export class IniError extends Error {}

export type IniSections = Map<string, Map<string, string>>;

const SECTION = /^\[(.+)\]/;
const OPTION = /^(.*?)\s*([=:])\s*(.*)$/;

function stripInlineComment(line: string): string {
  const m = /\s[;#]/.exec(line);
  return m ? line.slice(0, m.index) : line;
}

export function parseIni(text: string, source = '<string>'): IniSections {
  const sections: IniSections = new Map();
  let current: Map<string, string> | null = null;
  let lastKey: string | null = null;
  let lastIndent = 0;
  if (text.startsWith('\uFEFF')) {
    throw new IniError(
      `File contains no section headers.\nfile: ${source}, line: 1\nthe file starts with a UTF-8 byte order mark (U+FEFF), which supervisorctl does not accept either; save it without one`,
    );
  }
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const trimmedStart = raw.trimStart();
    if (trimmedStart.startsWith('#') || trimmedStart.startsWith(';')) return;
    const value = stripInlineComment(raw).trim();
    if (value === '') {
      lastKey = null;
      return;
    }
    const indent = raw.length - trimmedStart.length;
    if (current && lastKey !== null && indent > lastIndent) {
      current.set(lastKey, `${current.get(lastKey)}\n${value}`);
      return;
    }
    lastIndent = indent;
    const header = SECTION.exec(value);
    if (header) {
      const name = header[1];
      current = sections.get(name) ?? new Map();
      sections.set(name, current);
      lastKey = null;
      return;
    }
    if (!current) {
      throw new IniError(`File contains no section headers.\nfile: ${source}, line: ${index + 1}\n${JSON.stringify(raw)}`);
    }
    const option = OPTION.exec(value);
    if (!option || option[1].trim() === '') {
      throw new IniError(`Source contains parsing errors: ${source}\n\t[line ${index + 1}]: ${JSON.stringify(raw)}`);
    }
    lastKey = option[1].trimEnd().toLowerCase();
    current.set(lastKey, option[3].trim());
  });
  return sections;
}

/** A key of a section, falling back to `[DEFAULT]` as RawConfigParser does. */
export function getOption(sections: IniSections, section: string, key: string): string | undefined {
  return sections.get(section)?.get(key) ?? sections.get('DEFAULT')?.get(key);
}

/**
 * Python `%`-formatting with a mapping, as supervisor's `expand`: `%(name)s` and `%%`.
 * Errors carry supervisor's messages.
 */
export function expand(value: string, expansions: Record<string, string>, name: string): string {
  let out = '';
  let i = 0;
  while (i < value.length) {
    const pct = value.indexOf('%', i);
    if (pct < 0) {
      out += value.slice(i);
      break;
    }
    out += value.slice(i, pct);
    if (value[pct + 1] === '%') {
      out += '%';
      i = pct + 2;
      continue;
    }
    const m = /^%\(([^)]*)\)[-#0 +]*\d*(?:\.\d+)?([sdir])/.exec(value.slice(pct));
    if (!m) {
      throw new IniError(`Format string ${pyRepr(value)} for ${pyRepr(name)} is badly formatted: ${badFormat(value, pct)}`);
    }
    const key = m[1];
    if (!Object.prototype.hasOwnProperty.call(expansions, key)) {
      const available = Object.keys(expansions).sort(pyCompare).join(', ');
      throw new IniError(
        `Format string ${pyRepr(value)} for ${pyRepr(name)} contains names (${pyRepr(key)}) which cannot be ` +
          `expanded. Available names: ${available}`,
      );
    }
    out += expansions[key];
    i = pct + m[0].length;
  }
  return out;
}

function badFormat(value: string, pct: number): string {
  const next = value[pct + 1];
  if (next === undefined) return 'incomplete format';
  return `unsupported format character ${pyRepr(next)} (0x${next.charCodeAt(0).toString(16)}) at index ${pct + 1}`;
}


/**
 * Reading one section's values: look the key up (section, then [DEFAULT]), expand it with
 * supervisor's names plus `here` (the directory of the file the value came from), convert it,
 * and turn any BadValue into a ConfigError naming file, line, section, key and value.
 */
import { dirname } from 'node:path';
import { BadValue, ConfigError } from './errors.js';
import { expand, type ExpansionNames } from './expand.js';
import { iniLookup, type IniDocument, type IniSection, type IniValue } from './ini.js';

export class SectionReader {
  constructor(
    readonly doc: IniDocument,
    readonly section: IniSection,
  ) {}

  get name(): string {
    return this.section.name;
  }

  /** The value as written (with its position), or undefined. */
  raw(key: string): IniValue | undefined {
    return iniLookup(this.doc, this.section, key);
  }

  has(key: string): boolean {
    return this.raw(key) !== undefined;
  }

  /** `names` plus `here` for this value (its own file's directory). */
  namesFor(value: IniValue, names: ExpansionNames): ExpansionNames {
    return withHere(names, dirname(value.file));
  }

  /** `names` plus `here` for `key`: its value's file, else the section's file. */
  namesAt(key: string, names: ExpansionNames): ExpansionNames {
    return withHere(names, dirname(this.raw(key)?.file ?? this.section.file));
  }

  /**
   * The value expanded (supervisor's saneget), or `undefined` when absent. With `expandIt` false
   * the text is returned as written (do_expand=False).
   */
  string(key: string, names: ExpansionNames, expandIt = true): string | undefined {
    const v = this.raw(key);
    if (v === undefined) return undefined;
    if (!expandIt) return v.value;
    return this.attempt(key, v, () => expand(v.value, this.namesFor(v, names), `${this.name}.${key}`));
  }

  /**
   * The expanded value converted by `convert`; when absent, `fallback` converted (not expanded,
   * as supervisor's defaults contain no `%`). `fallback` undefined → undefined.
   */
  value<T>(key: string, names: ExpansionNames, convert: (s: string) => T, fallback: string): T;
  value<T>(key: string, names: ExpansionNames, convert: (s: string) => T, fallback?: undefined): T | undefined;
  value<T>(key: string, names: ExpansionNames, convert: (s: string) => T, fallback?: string): T | undefined {
    const v = this.raw(key);
    if (v === undefined) {
      if (fallback === undefined) return undefined;
      return this.attempt(key, undefined, () => convert(fallback));
    }
    let expanded: string | undefined;
    return this.attempt(
      key,
      v,
      () => {
        expanded = expand(v.value, this.namesFor(v, names), `${this.name}.${key}`);
        return convert(expanded);
      },
      () => expanded,
    );
  }

  /**
   * Runs `fn`; a BadValue becomes a ConfigError at the key's line (or the section header's
   * when the key is absent). `expandedOf` lets the message show what the value expanded to.
   */
  attempt<T>(key: string, v: IniValue | undefined, fn: () => T, expandedOf?: () => string | undefined): T {
    try {
      return fn();
    } catch (e) {
      if (!(e instanceof BadValue)) throw e;
      const expanded = expandedOf?.();
      const note = expanded !== undefined && v !== undefined && expanded !== v.value ? ` (expanded: ${JSON.stringify(expanded)})` : '';
      throw this.error(key, e.message + note, v);
    }
  }

  /** A ConfigError about `key` (at its line if present, else at the section header). */
  error(key: string | undefined, message: string, v: IniValue | undefined = key ? this.raw(key) : undefined): ConfigError {
    return new ConfigError({
      file: v?.file ?? this.section.file,
      line: v?.line ?? this.section.line,
      section: this.name,
      key,
      value: v?.value,
      message,
    });
  }

  /** A required key is missing: error at the section header. */
  missing(key: string, message = 'required key is missing'): ConfigError {
    return new ConfigError({ file: this.section.file, line: this.section.line, section: this.name, key, message });
  }

  /** Warnings for keys of this section (not [DEFAULT]) that supervisor does not know. */
  unknownKeys(known: ReadonlySet<string>): string[] {
    const out: string[] = [];
    for (const [key, v] of this.section.values) {
      if (!known.has(key)) out.push(`${v.file}:${v.line}: [${this.name}] ${key}: unknown key (ignored)`);
    }
    return out;
  }
}

/**
 * `names` plus `here`, one copy per names and directory: a process's names hold an ENV_x for
 * each of the daemon's environment variables, and copying them for each of its ~15 keys was
 * half of reading a configuration (200 programs: 17 of 37 ms). Callers do not change it.
 */
const withHereCache = new WeakMap<ExpansionNames, Map<string, ExpansionNames>>();
function withHere(names: ExpansionNames, here: string): ExpansionNames {
  let byDir = withHereCache.get(names);
  if (!byDir) withHereCache.set(names, (byDir = new Map()));
  let out = byDir.get(here);
  if (!out) byDir.set(here, (out = { ...names, here }));
  return out;
}

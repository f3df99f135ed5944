/**
 * The conformance case format, read into data: a case is a folder NAME/ holding
 * `supervisord.conf.in`, `steps` (one step a line) and `expected` (the transcript recorded from
 * supervisor 4.2.5). See docs/conformance.md for the step language.
 *
 * Case files are read as latin1 so that every byte survives unchanged into the transcript and
 * back (the comparison is byte for byte, as the recordings were made in the C locale).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export type Step =
  | { kind: 'ctl'; line: string; args: string }
  | { kind: 'sorted'; line: string; args: string }
  | { kind: 'sh'; line: string; script: string }
  | { kind: 'sleep'; line: string; seconds: number }
  | { kind: 'wait'; line: string; state: string; names: string[] }
  | { kind: 'kill'; line: string; signal: string; name: string }
  | { kind: 'edit'; line: string; sedExpr: string }
  | { kind: 'append'; line: string; text: string }
  | { kind: 'write'; line: string; path: string; text: string }
  | { kind: 'unknown'; line: string };

/**
 * The run's placeholders: @TMP@ (the run's temp dir), @HERE@ (the case), @ROOT@ (lib/), and
 * @PORT1@, @PORT2@, … (free loopback TCP ports picked for this run: `ports[0]` is @PORT1@), so
 * two runs of a case never reach each other's daemon.
 */
export interface Places {
  tmp: string;
  here: string;
  root: string;
  ports: number[];
}

const PORT_PLACEHOLDER = /@PORT([1-9][0-9]*)@/g;

/** How many ports a case asks for: the highest N of the @PORTN@ in its conf and steps. */
export function portsWanted(c: { template: string; steps: Step[] }): number {
  let n = 0;
  for (const text of [c.template, ...c.steps.map((s) => s.line)]) {
    for (const m of text.matchAll(PORT_PLACEHOLDER)) n = Math.max(n, Number(m[1]));
  }
  return n;
}

/** bash word splitting without globbing: runs of blanks separate words. */
export function words(s: string): string[] {
  return s.split(/[ \t\n]+/).filter((w) => w !== '');
}

/** Text after the first space, or the whole text when it has none (bash's ${s#* }). */
const afterFirstSpace = (s: string) => (s.includes(' ') ? s.slice(s.indexOf(' ') + 1) : s);
/** Text before the first space (bash's ${s%% *}). */
const beforeFirstSpace = (s: string) => (s.includes(' ') ? s.slice(0, s.indexOf(' ')) : s);

export function parseStep(line: string): Step {
  const directive = /^!(\w+) ([^]*)$/.exec(line);
  if (!directive) return line.startsWith('!') ? { kind: 'unknown', line } : { kind: 'ctl', line, args: line };
  const [, name, rest] = directive as unknown as [string, string, string];
  switch (name) {
    case 'sleep':
      return { kind: 'sleep', line, seconds: Number(rest) };
    case 'wait':
      return { kind: 'wait', line, state: beforeFirstSpace(rest), names: words(afterFirstSpace(rest)) };
    case 'kill':
      return { kind: 'kill', line, signal: beforeFirstSpace(rest), name: afterFirstSpace(rest) };
    case 'edit':
      return { kind: 'edit', line, sedExpr: rest };
    case 'append':
      return { kind: 'append', line, text: rest };
    case 'write':
      return { kind: 'write', line, path: beforeFirstSpace(rest), text: afterFirstSpace(rest) };
    case 'sorted':
      return { kind: 'sorted', line, args: rest };
    case 'sh':
      return { kind: 'sh', line, script: rest };
    default:
      return { kind: 'unknown', line };
  }
}

/** The steps file: blank lines and lines starting with '#' are skipped; others kept verbatim. */
export function parseSteps(text: string): Step[] {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.filter((l) => l !== '' && !l.startsWith('#')).map(parseStep);
}

/** Replaces the placeholders (paths given in the latin1 domain, see `latin1Of`). */
export function substitute(s: string, p: Places): string {
  return s
    .replaceAll('@TMP@', p.tmp)
    .replaceAll('@HERE@', p.here)
    .replaceAll('@ROOT@', p.root)
    .replace(PORT_PLACEHOLDER, (m, n: string) => String(p.ports[Number(n) - 1] ?? m));
}

/** The generated supervisord.conf: the template with trailing newlines trimmed, then one. */
export function confFromTemplate(template: string, p: Places): string {
  return substitute(template.replace(/\n+$/, ''), p) + '\n';
}

export interface CaseFiles {
  name: string;
  dir: string;
  template: string;
  steps: Step[];
  /** undefined when the case was never recorded */
  expected: string | undefined;
}

const readLatin1 = (path: string) => readFileSync(path, 'latin1');

export function readCase(casesDir: string, name: string): CaseFiles {
  const dir = join(casesDir, name);
  for (const f of ['supervisord.conf.in', 'steps']) {
    if (!existsSync(join(dir, f))) throw new Error(`case ${name}: no ${f} in ${dir}`);
  }
  const expectedPath = join(dir, 'expected');
  return {
    name,
    dir,
    template: readLatin1(join(dir, 'supervisord.conf.in')),
    steps: parseSteps(readLatin1(join(dir, 'steps'))),
    expected: existsSync(expectedPath) ? readLatin1(expectedPath) : undefined,
  };
}

/** Case names in a folder: its subfolders that hold a `steps` file, sorted. */
export function listCases(casesDir: string): string[] {
  if (!existsSync(casesDir)) return [];
  return readdirSync(casesDir)
    .filter((n) => statSync(join(casesDir, n)).isDirectory() && existsSync(join(casesDir, n, 'steps')))
    .sort();
}

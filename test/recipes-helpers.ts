/**
 * The recipes in docs/ are tested as written: a fenced code block preceded by
 * `<!-- recipe: NAME -->` is read from the markdown page itself, so the page and its test
 * cannot drift apart.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './harness/paths.js';

/** The text of the fenced code block marked `<!-- recipe: name -->` in `page` (a repo path). */
export function codeBlock(page: string, name: string): string {
  const md = readFileSync(join(repoRoot, page), 'utf8');
  const at = md.indexOf(`<!-- recipe: ${name} -->`);
  if (at < 0) throw new Error(`${page}: no recipe named ${name}`);
  const m = /^```[^\n]*\n([\s\S]*?)^```/m.exec(md.slice(at));
  if (!m) throw new Error(`${page}: recipe ${name} has no code block after its marker`);
  return m[1]!;
}

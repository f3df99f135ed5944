/** Where things are: the repo root (found from this file, compiled or not) and the cache dir. */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'pnpm-workspace.yaml'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('repo root (pnpm-workspace.yaml) not found');
    dir = up;
  }
  return dir;
}

export const repoRoot = findRoot();
/** Build outputs the tests reuse between runs (gitignored). */
export const cacheDir = join(repoRoot, 'test', '.cache');
export const fixturesDir = join(repoRoot, 'test', 'fixtures');

/**
 * Temporary directories for tests: one per test, removed afterwards (also on failure).
 * `tmpDir()` registers the directory with node:test's `after` hook of the current file when
 * one is given; otherwise call `remove()` yourself in a finally block.
 */
import { mkdtempSync, rmSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TmpDir {
  path: string;
  remove(): void;
}

const live = new Set<string>();

/**
 * Creates a fresh directory under the OS temp dir (short paths: Unix socket paths must stay
 * under 108 bytes). `mode` defaults to mkdtemp's 0700; pass 0o755 when a process running as
 * another user (an nginx worker as `nobody`) must reach files inside it.
 */
export function makeTmpDir(prefix = 'tsv-', mode?: number): TmpDir {
  const path = mkdtempSync(join(tmpdir(), prefix));
  if (mode !== undefined) chmodSync(path, mode);
  live.add(path);
  return {
    path,
    remove() {
      live.delete(path);
      if (process.env.KEEP_TMP === '1') return;
      rmSync(path, { recursive: true, force: true });
    },
  };
}

process.on('exit', () => {
  if (process.env.KEEP_TMP === '1') return;
  for (const path of live) rmSync(path, { recursive: true, force: true });
});

/**
 * Supervisor's rotation (loggers.py RotatingFileHandler.doRollover): with N backups,
 * name.N-1 → name.N, …, name.1 → name.2, then name → name.1; a fresh name is opened after.
 * With 0 backups the current file is simply replaced by a fresh one (truncated).
 * The plan is pure; `rotateFiles` / `rotateFilesSync` perform it. The async one keeps the event
 * loop free: a rename that replaces a 50 MB backup with dirty pages can take tens of ms.
 */
import { renameSync, unlinkSync } from 'node:fs';
import { rename } from 'node:fs/promises';

export function backupPath(path: string, index: number): string {
  return `${path}.${index}`;
}

/** The renames, in order, that rotate `path` keeping `backups` old files. */
export function rotationPlan(path: string, backups: number): Array<{ from: string; to: string }> {
  const plan: Array<{ from: string; to: string }> = [];
  if (backups <= 0) return plan;
  for (let i = backups - 1; i >= 1; i--) plan.push({ from: backupPath(path, i), to: backupPath(path, i + 1) });
  plan.push({ from: path, to: backupPath(path, 1) });
  return plan;
}

function isMissing(err: unknown): boolean {
  return (err as NodeJS.ErrnoException).code === 'ENOENT';
}

/**
 * Renames along the plan. A missing source is skipped (a cleanup script may have removed it),
 * like supervisor's removeAndRename; rename(2) replaces an existing destination atomically.
 */
export function rotateFilesSync(path: string, backups: number): void {
  for (const { from, to } of rotationPlan(path, backups)) {
    try {
      renameSync(from, to);
    } catch (err) {
      if (!isMissing(err)) throw err;
    }
  }
}

/** As rotateFilesSync, without blocking the event loop. */
export async function rotateFiles(path: string, backups: number): Promise<void> {
  for (const { from, to } of rotationPlan(path, backups)) {
    try {
      await rename(from, to);
    } catch (err) {
      if (!isMissing(err)) throw err;
    }
  }
}

/** Removes name.1 … name.N (for clear with backups). Missing files are fine. */
export function removeBackupsSync(path: string, backups: number): void {
  for (let i = 1; i <= backups; i++) {
    try {
      unlinkSync(backupPath(path, i));
    } catch (err) {
      if (!isMissing(err)) throw err;
    }
  }
}

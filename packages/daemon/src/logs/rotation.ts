/**
 * Supervisor's rotation (loggers.py RotatingFileHandler.doRollover): with N backups,
 * name.N-1 → name.N, …, name.1 → name.2, then name → name.1; a fresh name is opened after.
 * With 0 backups the current file is simply replaced by a fresh one (truncated).
 * The plan is pure; `rotateFiles` / `rotateFilesHeld` / `rotateFilesSync` perform it. The first
 * two keep the event loop free of removing a 50 MB backup, which can take milliseconds.
 *
 * Each step removes the destination first, then renames (supervisor's removeAndRename), rather
 * than renaming over it: on ext4 a rename that replaces a file makes the kernel start writing
 * back the renamed file at once, in the caller (auto_da_alloc), which doubled the daemon's CPU
 * time under a fast writer and blocked the step for tens of ms.
 */
import { close, openSync, renameSync, unlinkSync } from 'node:fs';
import { type FileHandle, open, rename, unlink } from 'node:fs/promises';

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
 * Removes each destination, then renames along the plan. Missing files are skipped (a cleanup
 * script may have removed them), like supervisor's removeAndRename.
 */
export function rotateFilesSync(path: string, backups: number): void {
  for (const { from, to } of rotationPlan(path, backups)) {
    for (const step of [() => unlinkSync(to), () => renameSync(from, to)]) {
      try {
        step();
      } catch (err) {
        if (!isMissing(err)) throw err;
      }
    }
  }
}

/**
 * As rotateFilesSync, without blocking the event loop. The oldest backup, the one file that goes
 * away, is held open while it is removed, so removing its name is quick and freeing its pages
 * (milliseconds for 50 MB) waits for `release()`: call it once writing has resumed.
 */
export async function rotateFiles(path: string, backups: number): Promise<{ release(): void }> {
  let oldest: FileHandle | null = null;
  if (backups > 0) oldest = await open(backupPath(path, backups), 'r').catch(() => null);
  const release = (): void => void oldest?.close().catch(() => undefined);
  try {
    for (const { from, to } of rotationPlan(path, backups)) {
      for (const step of [() => unlink(to), () => rename(from, to)]) {
        try {
          await step();
        } catch (err) {
          if (!isMissing(err)) throw err;
        }
      }
    }
  } catch (err) {
    release();
    throw err;
  }
  return { release };
}

/**
 * As rotateFiles, its renames made at once on this thread (a file written synchronously, on a
 * local filesystem: destination.ts): 20 renames through the thread pool take 2-3 ms, in which a
 * fast writer's pipe fills; made here they take a few hundred µs. The oldest backup is held
 * open as there, and closed (its pages freed) on the thread pool at `release()`.
 */
export function rotateFilesHeld(path: string, backups: number): { release(): void } {
  let oldest: number | null = null;
  try {
    if (backups > 0) oldest = openSync(backupPath(path, backups), 'r');
  } catch {
    // no oldest backup yet
  }
  const release = (): void => {
    if (oldest !== null) close(oldest, () => undefined);
    oldest = null;
  };
  try {
    rotateFilesSync(path, backups);
  } catch (err) {
    release();
    throw err;
  }
  return { release };
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

/**
 * clear: removes the log file (missing is fine; `file` false: leaves the path, not a regular
 * file, alone) and its first `backups` backups.
 */
export function removeLogSync(path: string, backups: number, file = true): void {
  if (file) {
    try {
      unlinkSync(path);
    } catch (err) {
      if (!isMissing(err)) throw err;
    }
  }
  removeBackupsSync(path, backups);
}

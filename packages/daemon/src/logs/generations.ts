/**
 * Where the bytes of a rotating log are, by position, for followers (`tail -f`) that read the
 * log at their own pace instead of being handed every chunk as it is written.
 *
 * A position is a byte count since the RotatingFile was made, across rotations: the current
 * file holds [currentStart, currentStart + size), backup name.k the generation k rotations old.
 * `locate(pos)` says which file holds `pos` and how many bytes follow it there, or how many
 * bytes before the oldest kept one were deleted (rotated out of the last backup, cleared,
 * truncated in place): a follower is told it skipped them. The RotatingFile reports every
 * change (write, rotation, clear, reopen of another file) and followers `watch` for them.
 *
 * While anyone follows, the last RECENT bytes written are also kept in one ring buffer per log
 * (shared by all its followers, none without them): a follower just behind reads them from
 * memory, so a log rotating every few KiB loses nothing for a follower that keeps up.
 */
import { fstatSync } from 'node:fs';
import type { Destination } from './destination.js';
import { backupPath } from './rotation.js';

/** Where a follower at some position reads next. */
export type Located =
  /** A file (the current one or a backup): `available` bytes from `offset`. */
  | { kind: 'file'; path: string; offset: number; available: number; current: boolean }
  /** The bytes up to `pos + skipped` are gone: continue there. */
  | { kind: 'gone'; skipped: number }
  /** A rotation is under way (files being renamed): wait for the next change. */
  | { kind: 'busy' };

/** Bytes of the latest output kept in memory for the followers of one log. */
export const RECENT = 1024 * 1024;

interface Kept {
  start: number;
  size: number;
}

/** What the next image needs to number a log's bytes as this one did (reexec). */
export interface GenerationsSnapshot {
  path: string;
  currentStart: number;
  size: number;
  kept: Kept[];
}

/** The latest Generations of each path (reexec exports them). */
const byPath = new Map<string, Generations>();
/** Handed over by the previous image, taken by the first Generations of the same path. */
const carried = new Map<string, GenerationsSnapshot>();

/**
 * reexec: every log's numbering, so that positions go on in the next image (a `tail -f` resumes
 * at the position it had reached).
 */
export function exportGenerations(): GenerationsSnapshot[] {
  return [...byPath.values()].map((g) => g.snapshot());
}

/** In the new image, before any log is opened. */
export function carryGenerations(snapshots: readonly GenerationsSnapshot[]): void {
  for (const s of snapshots) carried.set(s.path, s);
}

export class Generations {
  /** Position of the current file's first byte. */
  private currentStart = 0;
  /** Bytes of the current file (written and completed). */
  private size = 0;
  /** Backups, name.1 first. */
  private kept: Kept[] = [];
  private rotating = false;
  /** The inode of the current file once opened (null: not known). */
  private ino: number | null = null;
  /** Counts truncations in place: a read of the current file across one is not to be trusted. */
  truncations = 0;
  private readonly watchers = new Set<() => void>();
  /**
   * Told when the log gets its first follower (RotatingFile: a splice stops, so that what is
   * written from then on is kept in the ring too: a follower slower than rotation reads it there).
   */
  onFollowed: (() => void) | null = null;
  /** The ring of recent bytes: positions [ringEnd - ringBytes, ringEnd). */
  private ring: Buffer | null = null;
  private ringEnd = 0;
  private ringBytes = 0;

  constructor(
    readonly path: string,
    private readonly backups: number,
  ) {
    const c = carried.get(path);
    if (c) {
      carried.delete(path);
      this.currentStart = c.currentStart;
      this.size = c.size;
      this.kept = c.kept.slice(0, backups);
    }
    byPath.set(path, this);
  }

  snapshot(): GenerationsSnapshot {
    return { path: this.path, currentStart: this.currentStart, size: this.size, kept: this.kept };
  }

  /** The position after the last byte written. */
  get end(): number {
    return this.currentStart + this.size;
  }

  /** Runs `fn` after every change; returns the function that stops it. */
  watch(fn: () => void): () => void {
    if (this.watchers.size === 0) this.onFollowed?.();
    this.watchers.add(fn);
    return () => {
      this.watchers.delete(fn);
      if (this.watchers.size === 0) this.ring = null;
    };
  }

  /** Whether anyone follows the log (watch). */
  get followed(): boolean {
    return this.watchers.size > 0;
  }

  /** Keeps `chunks`, written at the end position, in the ring (when followed). Call before grew(). */
  appended(chunks: Uint8Array[]): void {
    if (this.watchers.size === 0) return;
    const ring = (this.ring ??= Buffer.allocUnsafe(RECENT));
    if (this.ringEnd !== this.end) this.ringBytes = 0; // a gap: the ring starts again
    this.ringEnd = this.end;
    for (let chunk of chunks) {
      if (chunk.length > RECENT) {
        this.ringEnd += chunk.length - RECENT;
        chunk = chunk.subarray(chunk.length - RECENT);
      }
      let at = this.ringEnd % RECENT;
      let from = 0;
      while (from < chunk.length) {
        const n = Math.min(chunk.length - from, RECENT - at);
        ring.set(chunk.subarray(from, from + n), at);
        from += n;
        at = 0;
      }
      this.ringEnd += chunk.length;
      this.ringBytes = Math.min(RECENT, this.ringBytes + chunk.length);
    }
  }

  /** Up to `max` bytes from `pos` out of the ring (a copy), or null if it does not hold `pos`. */
  recent(pos: number, max: number): Buffer | null {
    if (!this.ring || pos < this.ringEnd - this.ringBytes || pos >= this.ringEnd) return null;
    const length = Math.min(max, this.ringEnd - pos);
    const out = Buffer.allocUnsafe(length);
    let at = pos % RECENT;
    let got = 0;
    while (got < length) {
      const n = Math.min(length - got, RECENT - at);
      this.ring.copy(out, got, at, at + n);
      got += n;
      at = 0;
    }
    return out;
  }

  locate(pos: number): Located {
    if (this.rotating) return { kind: 'busy' };
    if (pos >= this.currentStart) {
      const offset = pos - this.currentStart;
      return { kind: 'file', path: this.path, offset, available: Math.max(0, this.size - offset), current: true };
    }
    for (let k = this.kept.length; k >= 1; k--) {
      const g = this.kept[k - 1]!;
      if (pos < g.start) return { kind: 'gone', skipped: g.start - pos };
      if (pos < g.start + g.size) return { kind: 'file', path: backupPath(this.path, k), offset: pos - g.start, available: g.start + g.size - pos, current: false };
    }
    return { kind: 'gone', skipped: this.currentStart - pos };
  }

  /** The current file now has `size` bytes. */
  grew(size: number): void {
    if (size === this.size) return;
    this.size = size;
    this.changed();
  }

  /** Files are about to be renamed: followers wait until `rotated` or `rotationFailed`. */
  rotationStarted(): void {
    this.rotating = true;
  }

  /** The current file became name.1 (with backups) or is truncated in place (without). */
  rotated(): void {
    this.rotating = false;
    if (this.backups > 0) this.kept = [{ start: this.currentStart, size: this.size }, ...this.kept].slice(0, this.backups);
    else this.truncations++;
    this.startNew();
  }

  /**
   * The path was opened (first write, reopen at a spawn or SIGUSR2, after a rotation) and has
   * `size` bytes: another file than before (moved away by someone), or a shorter one, starts a
   * generation.
   */
  opened(dest: Destination, size: number): void {
    const ino = inodeOf(dest);
    if (this.ino !== null && ino !== null && ino !== this.ino) this.replaced({ inPlace: false });
    else if (size < this.size) this.replaced({ inPlace: true });
    this.ino = ino;
    this.grew(size);
  }

  rotationFailed(): void {
    this.rotating = false;
    this.changed();
  }

  /** The current file's bytes are gone (cleared, replaced or truncated by someone else). */
  replaced(options: { inPlace: boolean; backupsRemoved?: boolean }): void {
    if (options.inPlace) this.truncations++;
    if (options.backupsRemoved) this.kept = [];
    this.startNew();
  }

  private startNew(): void {
    this.ino = null;
    this.currentStart += this.size;
    this.size = 0;
    this.changed();
  }

  private changed(): void {
    for (const fn of [...this.watchers]) fn();
  }
}

function inodeOf(dest: Destination): number | null {
  if (dest.kind !== 'file') return null;
  try {
    return fstatSync(dest.fd).ino;
  } catch {
    return null;
  }
}

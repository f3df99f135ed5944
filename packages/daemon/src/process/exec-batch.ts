/**
 * Spawns made together (the autostart of every group at start, of a group that `update` or
 * addProcessGroup adds) let their children exec only once the daemon has made them all. A
 * child that execs at once starts its program, and a program's own start-up is the costly part
 * of a spawn (a glibc program's dynamic loading: ~0.7 ms of CPU on this project's VMs, a
 * clone 31 us): two hundred of them took both cores from the daemon while it was still
 * spawning the rest, and its 200 spawns took 150 ms instead of 70 (BENCHMARKS.md, "held
 * execs"). Held, each child has taken every step but its exec and sleeps on a pipe shared by
 * its wave of the batch (tsv_direct.h `gate`: one byte each, read when the batch ends, a wave
 * at a time; end-of-file, if the daemon died first, makes it exit 0 without exec'ing). Nothing
 * else changes: every spawn is logged and STARTING as before, in the same order, and a
 * startsecs=0 program is RUNNING once spawned as with supervisord (whose fork returns before
 * the child's exec); the programs run a few ms later than the first of them would have and
 * sooner than the last.
 *
 * Only direct spawns are held (the ones the start gate arms, spawn.ts: no user=, socket or
 * ready=fd); TSV_SPAWN_HOLD=0 turns it off.
 */
import { writeSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { closeFdQuietly, makePipe, spawnUnexeced } from '../native/index.js';

/** A pipe that a wave of the batch's children wait on. */
interface Gate {
  read: number;
  write: number;
  /** Children that read a byte of it (counted before each spawn: a failed spawn only adds a byte no one reads). */
  held: number;
}

interface Batch {
  /** In spawn order; each holds at most WAVE children. */
  gates: Gate[];
  /** Children held on all of them. */
  held: number;
  /** Spawn blocks not yet exec'd that are not this batch's, as the first wave goes. */
  others?: number;
}

/**
 * Children let go together. Closing a gate wakes every child on it at once, and each runs
 * ahead of the daemon (which has been running): two hundred on one gate kept the daemon off
 * both cores for the ~100 ms of their start-ups, and a `status` sent meanwhile waited that
 * long. In waves of 8 per core, the daemon runs between two waves (the next goes at
 * setImmediate, after the I/O that came in) and answers within a few ms; the last of 200
 * programs starts ~15 ms later than with one gate (BENCHMARKS.md).
 */
const WAVE = 8 * availableParallelism();

/** The batch spawns join while holdingExecs runs. */
let open: Batch | null = null;
/** Nesting of holdingExecs (a group added while the start loop runs is in the same batch). */
let depth = 0;
/** Batches made and not yet all let go (a wave's release is pending). */
const closing = new Set<Batch>();

/**
 * Runs `body`; the direct spawns it makes exec after it returns (or throws), from a zero timer
 * on: after the zero timers the spawns themselves set (the RUNNING of startsecs=0 programs,
 * autostart-batch.ts), so that those are not waiting for a core either.
 */
export function holdingExecs<T>(body: () => T): T {
  depth++;
  try {
    return body();
  } finally {
    if (--depth === 0 && open) {
      const batch = open;
      open = null;
      closing.add(batch);
      setTimeout(() => releaseInWaves(batch), 0);
    }
  }
}

/**
 * For a direct spawn about to be made: its wave's gate (the pipe's read end, for the child's
 * last stdio slot) when spawns are being held, else undefined (the child execs at once).
 */
export function heldExecGate(): number | undefined {
  if (depth === 0 || process.env.TSV_SPAWN_HOLD === '0') return undefined;
  open ??= { gates: [], held: 0 };
  let gate = open.gates.at(-1);
  if (!gate || gate.held >= WAVE) {
    try {
      const pipe = makePipe();
      gate = { read: pipe.read, write: pipe.write, held: 0 };
    } catch {
      return undefined; // out of fds: not held (the spawn itself will say what is short)
    }
    open.gates.push(gate);
  }
  gate.held++;
  open.held++;
  return gate.read;
}

/** Now, not at the timer: before the daemon execs itself (reexec), whose exec would close the pipes. */
export function releaseHeldExecs(): void {
  for (const batch of [...closing]) {
    closing.delete(batch);
    for (const gate of batch.gates.splice(0)) release(gate);
  }
}

/** The first wave now, each next one once the daemon has run again (and served what came in). */
function releaseInWaves(batch: Batch): void {
  const gate = batch.gates.shift();
  if (!closing.has(batch) || !gate) return;
  batch.others ??= Math.max(0, spawnUnexeced() - batch.held);
  release(gate);
  if (batch.gates.length > 0) setImmediate(() => releaseInWaves(batch));
  else {
    closing.delete(batch);
    sweepOnceExeced(batch.others);
  }
}

/** One byte for each child held on `gate`, then the pipe is closed: each execs. */
function release(gate: Gate): void {
  closeFdQuietly(gate.read);
  // a blocking pipe: a wave above its 64 KiB would wait for the children to read; a child
  // already gone (killed while held) leaves its byte unread, and EPIPE means every one is gone
  const go = Buffer.alloc(gate.held, 1);
  for (let sent = 0; sent < go.length; ) {
    try {
      sent += writeSync(gate.write, go, sent);
    } catch {
      break;
    }
  }
  closeFdQuietly(gate.write);
}

/**
 * Each held child kept its spawn block (its stack, argv and environment: ~70 kB of address
 * space, 7 kB resident) mapped in the daemon until its exec; nothing tells the daemon of an
 * exec, so it looks again, less and less often, until only `target` blocks are left (or 10 s:
 * what is left goes at a later spawn or reap).
 */
function sweepOnceExeced(target: number): void {
  let delay = 5;
  const look = () => {
    if (spawnUnexeced() <= target || delay > 5_000) return;
    delay *= 2;
    setTimeout(look, delay).unref();
  };
  setTimeout(look, delay).unref();
}

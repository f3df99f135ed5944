/**
 * An armed spawn: a process that the start gate holds (start-gate.ts) is spawned ahead, while
 * what it waits for is STARTING, and its child stops just before its exec, reading a pipe
 * (native/tsv_clone.c, tsv_direct.h `gate`). When the gate opens, one byte on that pipe lets it
 * exec: the time from a dependency's ready signal to its dependent's first instruction is the
 * daemon's wake-up and one exec, without the spawn's preparation and clone (issue 16,
 * BENCHMARKS.md). The driver (subprocess.ts) uses it for its next spawn when it still fits
 * (same settings, child still there), else cancels it: end-of-file on the pipe, and the child
 * exits 0 without exec'ing (a child already let go is killed). Nothing of it shows: the process
 * is STOPPED, waiting for its dependencies, until its spawn, as without it.
 *
 * When it waits for one dependency alone whose probe can (ready=notify or fd:N), the probe's
 * native reader lets the child go itself at the signal (goWith): no JS between the signal and
 * the exec, whose code a daemon runs cold at its one start. The gate's own release then finds
 * it done; a cancel after it fired kills the child, as after any release.
 *
 * Only a direct spawn is armed (no user=, listening socket or ready=fd, spawn.ts); at most
 * MAX_ARMED at once, daemon-wide, as each is a process. TSV_SPAWN_ARM=0 turns it off.
 */
import { writeSync } from 'node:fs';
import type { ProcessConfig } from '../config/types.js';
import type { Logger } from '../logger.js';
import type { OsSeam, SpawnedChild } from '../os-seam.js';
import { closeFdQuietly, makePipe } from '../native/index.js';
import type { ChildPipes } from './child-pipes.js';
import type { GoOnReady } from '../readiness/index.js';
import type { ReadinessCheck } from './readiness-check.js';
import { spawnChild, type SpawnInput } from './spawn.js';

/** Armed spawns at once, daemon-wide. */
export const MAX_ARMED = 16;
let armedCount = 0;

const GO = Buffer.from([1]);

export class ArmedSpawn {
  private released = false;
  private gone = false;
  private done = false;
  private gateOpen = true;
  /** Let go by the ready signal of `of` (a dependency) in its probe's reader, if attached. */
  private go: { of: object; handle: GoOnReady } | null = null;

  constructor(
    readonly child: SpawnedChild,
    readonly pipes: ChildPipes,
    /** The go pipe's write end (the child reads the other). */
    private readonly gate: number,
    /** The settings it was spawned with: used only for a spawn of the same. */
    readonly config: ProcessConfig,
  ) {
    armedCount++;
    child.once('exit', () => {
      this.gone = true;
    });
  }

  get pid(): number {
    return this.child.pid;
  }

  /** It can be the spawn of `config`: the same settings, and its child still there. */
  fits(config: ProcessConfig): boolean {
    return !this.done && !this.gone && config === this.config;
  }

  /**
   * `of` is the one dependency it still waits for (null: none alone): `attach` has its probe's
   * reader let the child go at its ready signal (readiness/probe.ts goOnReady), if it can.
   * True when it was attached now.
   */
  goWith(of: object | null, attach: (fd: number) => GoOnReady | null): boolean {
    if (this.done || !this.gateOpen || this.go?.of === of) return false;
    this.dropGo();
    const handle = of && !this.released ? attach(this.gate) : null;
    if (of && handle) this.go = { of, handle };
    return this.go !== null;
  }

  private dropGo(): void {
    const go = this.go;
    this.go = null;
    if (go?.handle.cancel()) this.released = true; // it fired: the child is let go
  }

  /** Let the child exec now (once); its spawn's bookkeeping follows with `use`. */
  release(): void {
    if (this.done || !this.gateOpen) return;
    this.dropGo();
    if (!this.released) {
      this.released = true;
      try {
        writeSync(this.gate, GO);
      } catch {
        // EPIPE: the child is gone; its exit says so
      }
    }
    this.gateOpen = false;
    closeFdQuietly(this.gate);
  }

  /** The spawn takes it: let it exec (if not yet) and hand over its pipes. */
  use(): ReturnType<ChildPipes['open']> {
    this.release();
    this.finish();
    return this.pipes.open();
  }

  /** Not used: the child exits without its exec (or is killed when it was let go already). */
  cancel(os: OsSeam): void {
    if (this.done) return;
    this.dropGo();
    this.finish();
    if (this.released && !this.gone) {
      try {
        os.kill(this.pid, 'KILL');
      } catch {
        // ESRCH: gone
      }
    }
    if (this.gateOpen) closeFdQuietly(this.gate);
    this.gateOpen = false;
    this.pipes.discard();
  }

  private finish(): void {
    this.done = true;
    armedCount--;
  }
}

/** What arming takes of its process (subprocess.ts), read at the moment. */
export interface ArmInput {
  os: OsSeam;
  logger: Logger;
  config: ProcessConfig;
  /** Its spawns get a listening socket (fcgi-program): never armed. */
  hasSocket: boolean;
  env(): Record<string, string>;
  /** Its readiness check: prepared for the armed spawn (as for any spawn), released if none. */
  readiness: ReadinessCheck;
}

/** A process's armed spawn, if any: made by `arm`, taken by its next spawn, else cancelled. */
export class ArmedSlot {
  private armed: ArmedSpawn | null = null;

  get full(): boolean {
    return this.armed !== null;
  }

  /** Spawns the process armed, unless it has one or cannot be (a direct spawn, room left, not turned off). */
  arm(input: ArmInput): boolean {
    const cfg = input.config;
    if (this.armed || process.env.TSV_SPAWN_ARM === '0' || armedCount >= MAX_ARMED) return false;
    if (!input.os.spawnDirect || cfg.user || input.hasSocket || cfg.ready?.kind === 'fd') return false;
    if (input.readiness.prepare(cfg.ready) === null) this.armed = armSpawn({ os: input.os, logger: input.logger, config: cfg, env: input.env(), listeningSocket: () => null, readyFd: null });
    if (!this.armed) {
      input.readiness.release();
      return false;
    }
    input.logger.log('debug', `${cfg.name}: spawned ahead (pid ${this.armed.pid}), held before its exec until its dependencies are ready`);
    return true;
  }

  /** Let the armed child exec now (its spawn follows with `take`). */
  release(): void {
    this.armed?.release();
  }

  /** The armed child waits for `of` alone (null: not one alone): see ArmedSpawn.goWith. */
  goWith(of: object | null, attach: (fd: number) => GoOnReady | null): boolean {
    return this.armed?.goWith(of, attach) ?? false;
  }

  /** For a spawn of `config`: the armed spawn if it fits (its readiness check is prepared), else null (one that does not fit is cancelled). */
  take(config: ProcessConfig, os: OsSeam): ArmedSpawn | null {
    const armed = this.armed;
    if (armed?.fits(config)) {
      this.armed = null;
      return armed;
    }
    this.cancel(os);
    return null;
  }

  /** Cancels the armed spawn; whether there was one (its readiness check is the caller's to release). */
  cancel(os: OsSeam): boolean {
    const armed = this.armed;
    this.armed = null;
    armed?.cancel(os);
    return armed !== null;
  }
}

/** Spawns `input` armed: the child waits before its exec. Null when it cannot (the real spawn will say why). */
function armSpawn(input: Omit<SpawnInput, 'gate' | 'failed' | 'releaseProbe'>): ArmedSpawn | null {
  let gate;
  try {
    gate = makePipe();
  } catch {
    return null;
  }
  const spawned = spawnChild({ ...input, gate: gate.read, failed: () => {}, releaseProbe: () => {} });
  closeFdQuietly(gate.read); // the child has its copy (or there is no child)
  if (!spawned) {
    closeFdQuietly(gate.write);
    return null;
  }
  return new ArmedSpawn(spawned.child, spawned.pipes, gate.write, input.config);
}

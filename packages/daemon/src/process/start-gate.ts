/**
 * The start gate (depends_on=): no process is spawned before what it depends on is there. A
 * process whose dependencies are not met is held (STOPPED, status says what it waits for); the
 * gate looks again at every state change and every 'ready' event of the supervisor (no polling)
 * and starts what has become free, in priority order. A dependency that fails for good (FATAL,
 * or exited and left so) releases its held dependents as STOPPED with the reason. An admin
 * `start` brings the dependencies up first and says so in the main log. Stopping goes the other
 * way: `stopAfterDependents` stops a process once its dependents are down. Each hold, change
 * of what it waits for and release is emitted on the supervisor (`dependencyWaiting`,
 * `dependencyReleased`), for the events stream's TSUPERVISOR_DEPENDENCY_* events.
 *
 * A held process that waits only for processes now STARTING is armed (armed-spawn.ts: spawned,
 * its child held before the exec), and at the change to ready that frees it, the child is let go
 * at once, before the change's other listeners (the gate's is the supervisor's first); its
 * spawn's bookkeeping (STARTING, the 'spawned' line and event) follows in the review, in the
 * usual order. When it waits for one dependency alone, that one's ready=notify or fd:N reader
 * lets the child go itself, with no JS on the way (armed-spawn.ts goWith).
 */
import { Faults, RPCFault, STARTABLE_STATES } from '@tsupervisor/protocol';
import { resolveTarget, type GroupView } from '../config/dependencies.js';
import type { DependencySpec } from '../config/types.js';
import type { Supervisor } from '../supervisor.js';
import { becameReady, verdict, waitingText, type DependencyView, type GateNote, type Verdict } from './dependencies.js';
import type { Subprocess } from './subprocess.js';
import { isRunningState, isStoppedState } from './transition.js';

interface Hold {
  /** autostart: spawned through autostart() (its first start); start: an admin or update start. */
  kind: 'autostart' | 'start';
  waiters: Array<{ resolve: () => void; reject: (err: Error) => void }>;
}

interface Edge {
  spec: DependencySpec;
  namespec: string;
  process: Subprocess | null;
}

export class StartGate {
  private readonly holds = new Map<Subprocess, Hold>();
  private reviewing = false;
  private again = false;
  private queued = false;

  constructor(private readonly sup: Supervisor) {
    // In the same turn, once every listener has seen the change (the events stream keeps its order).
    const soon = () => {
      if (this.queued || this.holds.size === 0) return;
      this.queued = true;
      queueMicrotask(() => {
        this.queued = false;
        this.review();
      });
    };
    sup.on('processState', (change) => {
      if (becameReady(change)) this.releaseFreed();
      soon();
    });
    sup.on('ready', soon);
  }

  /** True when some live process names dependencies (otherwise everything is as supervisor). */
  inUse(): boolean {
    return this.sup.allByPriority().some((p) => p.config.dependsOn?.length);
  }

  /** The processes `p` depends on, resolved against the running groups (`views`: made once per pass). */
  edges(p: Subprocess, views?: Map<string, GroupView>): Edge[] {
    const specs = p.config.dependsOn ?? [];
    if (specs.length === 0) return [];
    views ??= this.groupViews();
    const out: Edge[] = [];
    for (const spec of specs) {
      const names = resolveTarget(spec.target, views);
      if (!names) out.push({ spec, namespec: spec.target, process: null });
      else for (const n of names) out.push({ spec, namespec: n, process: this.lookup(n) });
    }
    return out;
  }

  /** Autostart through the gate: held while its dependencies are not met. */
  autostart(p: Subprocess): void {
    if (!(p.config.autostart && p.state === 'STOPPED' && p.laststart === 0)) return;
    if (this.judge(p).kind === 'met') return p.autostart();
    this.hold(p, 'autostart');
  }

  /**
   * Before an admin start: null when `p` may spawn now (the caller starts it); else a promise
   * that settles once the gate has started it, or rejects (SPAWN_ERROR) when a dependency failed.
   * What it depends on and is not up is started first.
   */
  request(p: Subprocess): Promise<void> | null {
    if (p.config.dependsOn?.length) this.setNote(p, null);
    const held = this.holds.get(p);
    if (!held && this.judge(p).kind === 'met') return null;
    this.bringUp(p);
    const promise = new Promise<void>((resolve, reject) => {
      const hold = this.hold(p, 'start');
      hold.waiters.push({ resolve, reject });
    });
    this.review();
    return promise;
  }

  /** update: start `p` as soon as its dependencies are there. */
  startWhenFree(p: Subprocess): void {
    const pending = this.request(p);
    if (pending) pending.catch(() => {});
    else p.start();
  }

  /** `stop` of a held process: it will not be started. True when it was held. */
  cancel(p: Subprocess): boolean {
    const hold = this.holds.get(p);
    if (!hold) return false;
    this.holds.delete(p);
    p.disarm();
    this.setNote(p, null);
    this.sup.emit('dependencyReleased', p, 'cancelled', null);
    for (const w of hold.waiters) w.reject(new RPCFault(Faults.ABNORMAL_TERMINATION, p.namespec));
    return true;
  }

  /** Shutdown or restart: nothing held is started any more. */
  clear(): void {
    for (const p of [...this.holds.keys()]) this.cancel(p);
  }

  /** Stop `p` with `stop` once every process of `among` that depends on it is stopped. */
  stopAfterDependents(among: readonly Subprocess[], stop: (p: Subprocess) => Promise<unknown>): (p: Subprocess) => Promise<void> {
    const memo = new Map<Subprocess, Promise<void>>();
    const dependents = (p: Subprocess) => among.filter((q) => q !== p && this.edges(q).some((e) => e.process === p));
    const run = (p: Subprocess): Promise<void> => {
      let done = memo.get(p);
      if (!done) {
        const first = dependents(p);
        done = (first.length ? Promise.allSettled(first.map(run)).then(() => undefined) : Promise.resolve()).then(async () => {
          await stop(p);
        });
        memo.set(p, done);
      }
      return done;
    };
    return run;
  }

  // ---- inside ------------------------------------------------------------------------

  /** The running groups as dependency targets resolve against them. */
  private groupViews(): Map<string, GroupView> {
    const views = new Map<string, GroupView>();
    for (const g of this.sup.groups.values()) views.set(g.name, { name: g.name, members: g.processes.map((q) => ({ name: q.name, programName: q.config.programName })) });
    return views;
  }

  private lookup(namespec: string): Subprocess | null {
    try {
      return this.sup.findProcess(namespec);
    } catch {
      return null;
    }
  }

  private judge(p: Subprocess, views?: Map<string, GroupView>): Verdict & { waiting?: Edge[] } {
    const waiting: Edge[] = [];
    for (const e of this.edges(p, views)) {
      const v = verdictOf(e);
      if (v.kind === 'failed') return v;
      if (v.kind === 'pending') waiting.push(e);
    }
    return waiting.length ? { kind: 'pending', waiting } : { kind: 'met' };
  }

  private hold(p: Subprocess, kind: Hold['kind']): Hold {
    let hold = this.holds.get(p);
    if (!hold) {
      hold = { kind, waiters: [] };
      this.holds.set(p, hold);
    } else if (kind === 'start') hold.kind = 'start';
    const j = this.judge(p);
    if (j.kind === 'pending') this.waitFor(p, j.waiting ?? []);
    return hold;
  }

  /** Start what `p` depends on and is neither up nor on its way (recursively, through the gate). */
  private bringUp(p: Subprocess): void {
    for (const e of this.edges(p)) {
      const q = e.process;
      if (!q || this.holds.has(q) || isRunningState(q.state)) continue;
      if (verdictOf(e).kind === 'met') continue;
      this.sup.logger.log('info', `starting ${q.namespec}: ${p.namespec} depends on it (depends_on=${e.spec.target}:${e.spec.condition})`);
      const pending = this.request(q);
      if (pending) pending.catch(() => {});
      else q.start();
    }
  }

  /** Look at every held process again; start the free ones, release the failed ones. */
  private review(): void {
    if (this.reviewing) {
      this.again = true;
      return;
    }
    this.reviewing = true;
    try {
      do {
        this.again = false;
        if (this.sup.state !== 'RUNNING') this.clear();
        const views = this.groupViews();
        for (const p of this.sup.allByPriority()) {
          const hold = this.holds.get(p);
          if (hold) this.look(p, hold, views);
        }
        // removed, or replaced by update (a new process of the same name): no longer held
        for (const p of [...this.holds.keys()]) if (this.lookup(p.namespec) !== p) this.cancel(p);
      } while (this.again);
    } finally {
      this.reviewing = false;
    }
  }

  private look(p: Subprocess, hold: Hold, views: Map<string, GroupView>): void {
    const j = this.judge(p, views);
    if (j.kind === 'pending') {
      this.waitFor(p, j.waiting ?? []);
      return;
    }
    this.holds.delete(p);
    if (j.kind === 'failed') {
      p.disarm();
      this.setNote(p, { error: j.reason });
      this.again = true; // what depends on it fails in turn
      this.sup.logger.log('warn', `not starting ${p.namespec}: ${j.reason}`);
      this.sup.emit('dependencyReleased', p, 'failed', j.reason);
      this.sup.emit('dependencyFailed', p, j.reason);
      for (const w of hold.waiters) w.reject(new RPCFault(Faults.SPAWN_ERROR, p.namespec));
      return;
    }
    this.setNote(p, null);
    this.sup.emit('dependencyReleased', p, 'started', null);
    if (hold.kind === 'autostart') p.autostart();
    else p.start();
    p.disarm(); // not spawned after all: its armed child goes
    for (const w of hold.waiters) w.resolve();
  }

  /** `p` is held for `waiting`: noted for status, and emitted when it differs from the last note. */
  private waitFor(p: Subprocess, waiting: readonly Edge[]): void {
    // what it waits for is on its way to ready: spawn it ahead, held before its exec
    const onItsWay = (e: Edge) => e.spec.condition === 'ready' && e.process?.state === 'STARTING';
    if (!p.armed && waiting.every(onItsWay)) p.arm();
    // one dependency left: its probe's reader can let the armed child go at its ready signal
    // (notify, fd:N: native, before any JS)
    if (p.armed) p.armedGoesWith(waiting.length === 1 && onItsWay(waiting[0]!) ? waiting[0]!.process : null);
    const texts = waiting.map((e) => waitingText(e.spec, e.namespec));
    const note = p.gateNote;
    if (note && 'waitingFor' in note && note.waitingFor.join() === texts.join()) return;
    this.setNote(p, { waitingFor: texts });
    this.sup.emit(
      'dependencyWaiting',
      p,
      waiting.map((e) => `${e.namespec}:${e.spec.condition}`),
    );
  }

  /**
   * At a change to ready, before its other listeners: an armed held process that it frees is let
   * go now (its exec); the review that follows in this turn spawns it with that child.
   */
  private releaseFreed(): void {
    if (this.sup.state !== 'RUNNING') return;
    let views: Map<string, GroupView> | undefined;
    for (const [p, hold] of this.holds) {
      if (!p.armed || this.judge(p, (views ??= this.groupViews())).kind !== 'met') continue;
      const starts = hold.kind === 'autostart' ? p.config.autostart && p.laststart === 0 && p.state === 'STOPPED' : STARTABLE_STATES.includes(p.state);
      if (starts) p.releaseArmed();
    }
  }

  private setNote(p: Subprocess, note: GateNote | null): void {
    if (p.gateNote === note) return;
    p.gateNote = note;
  }
}

function verdictOf(e: Edge): Verdict {
  return verdict(e.spec.condition, e.process && dependencyView(e.namespec, e.process));
}

/** A live process as a dependency's verdict sees it (the gate's, and update --dry-run's). */
export function dependencyView(namespec: string, q: Subprocess): DependencyView {
  return { namespec, snapshot: q.snapshot, exitcodes: q.config.exitcodes, blocked: blockedReason(q) };
}

/** Why a STOPPED process was left so by the gate, if it was. */
function blockedReason(p: Subprocess): string | null {
  const note = p.gateNote;
  return note && 'error' in note && isStoppedState(p.state) ? note.error : null;
}

/**
 * reexec (issue 14): event listeners carried over. Their processes are adopted like any other
 * (same pid, same pipes); what the event system knew of them goes in the state file as data and
 * is given back in the new image: each pool's serial and buffered events, each listener's
 * protocol state (READY, BUSY with its event in flight, a RESULT half read) — so that serials
 * go on without gap or repeat and no event is lost or sent twice.
 */
import type { EventBody } from './payload.js';
import type { SerialCounter } from './event.js';
import { SupervisorEvent } from './event.js';
import { ListenerOutput } from './listener-output.js';
import type { ListenerPool } from './pool.js';
import type { ListenerStateName, ProtocolState } from './listener-protocol.js';
import type { Subprocess } from '../process/subprocess.js';

export interface SavedEvent {
  body: EventBody;
  serial: number | null;
  poolSerials: Array<[string, number]>;
}

export interface SavedListener {
  namespec: string;
  state: ListenerStateName;
  /** ProtocolState's buffers, base64. */
  pending: string;
  resultLength: number | null;
  received: number;
  result: string;
  inFlight: SavedEvent | null;
}

export interface ListenersState {
  pools: Array<{ name: string; serial: number; pending: SavedEvent[] }>;
  listeners: SavedListener[];
}

function saveEvent(e: SupervisorEvent): SavedEvent {
  return { body: e.body, serial: e.numbered ? e.serial : null, poolSerials: [...e.poolSerials] };
}

export function exportListeners(pools: ReadonlyMap<string, ListenerPool>): ListenersState {
  const listeners: SavedListener[] = [];
  for (const pool of pools.values()) {
    for (const p of pool.group.processes) {
      if (!(p.output instanceof ListenerOutput)) continue;
      const { protocol, inFlight } = p.output.exportState();
      listeners.push({
        namespec: p.namespec,
        state: protocol.state,
        pending: protocol.pending.toString('base64'),
        resultLength: protocol.resultLength,
        received: protocol.received,
        result: protocol.result.toString('base64'),
        inFlight: inFlight ? saveEvent(inFlight) : null,
      });
    }
  }
  const saved = [...pools.values()].map((pool) => {
    const { serial, pending } = pool.exportState();
    return { name: pool.name, serial, pending: pending.map(saveEvent) };
  });
  return { pools: saved, listeners };
}

/**
 * In the new image, after the listeners' processes were adopted: the pools and protocols as
 * they were. An event buffered in one pool and in flight in another is one object again.
 */
export function restoreListeners(state: ListenersState, pools: ReadonlyMap<string, ListenerPool>, serials: SerialCounter, find: (namespec: string) => Subprocess | null): void {
  const made = new Map<string, SupervisorEvent>();
  const load = (s: SavedEvent): SupervisorEvent => {
    const key = s.serial === null ? null : String(s.serial);
    const known = key === null ? undefined : made.get(key);
    if (known) return known;
    const e = new SupervisorEvent(s.body, serials);
    e.keepSerial(s.serial);
    for (const [pool, n] of s.poolSerials) e.poolSerials.set(pool, n);
    if (key !== null) made.set(key, e);
    return e;
  };
  for (const l of state.listeners) {
    const p = find(l.namespec);
    if (!p || !p.pid || !(p.output instanceof ListenerOutput)) continue;
    const protocol: ProtocolState = {
      state: l.state,
      pending: Buffer.from(l.pending, 'base64'),
      resultLength: l.resultLength,
      received: l.received,
      result: Buffer.from(l.result, 'base64'),
    };
    p.output.restore(protocol, l.inFlight ? load(l.inFlight) : null);
  }
  for (const saved of state.pools) pools.get(saved.name)?.restore(saved.serial, saved.pending.map(load));
  for (const pool of pools.values()) pool.dispatch();
}

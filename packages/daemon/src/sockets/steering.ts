/**
 * Which sockets of a socket_drain pool receive new connections, as a pure function of who holds
 * them (the kernel's SO_REUSEPORT steering is then set to exactly these, drain-pool.ts).
 *
 * Each socket (a "slot") is held by one live worker, which accepts on it, or by none. A worker
 * being stopped ("draining") must get no new connection; a free slot accepts none, so what is
 * steered to it waits in its queue until the next worker spawned takes that slot (the one with
 * the most queued connections, `slotForSpawn`). Nothing is ever refused: with no serving worker
 * (a `restart g:*` drains them all at once) connections wait in one free slot.
 */

export type Holder = 'serving' | 'draining' | null;

export interface SlotView {
  holder: Holder;
  /** Connections waiting in its accept queue. */
  queued: number;
}

/** The slot indices new connections go to: every serving one, else the one free slot to wait in. */
export function steerTargets(slots: readonly SlotView[]): number[] {
  const serving = slots.flatMap((s, i) => (s.holder === 'serving' ? [i] : []));
  if (serving.length > 0) return serving;
  const parking = slotForSpawn(slots);
  return parking === null ? [] : [parking];
}

/** The free slot a new worker takes (or connections park in): most queued first, then lowest index. */
export function slotForSpawn(slots: readonly SlotView[]): number | null {
  let best: number | null = null;
  slots.forEach((s, i) => {
    if (s.holder === null && (best === null || s.queued > slots[best]!.queued)) best = i;
  });
  return best;
}

/**
 * Free slots that can be closed: empty ones beyond the one spare a pool keeps (so that a drain
 * of every worker still has somewhere to park connections). Highest index first: closing the last
 * slot of the kernel's array moves no other socket.
 */
export function surplusSlots(slots: readonly SlotView[]): number[] {
  const free = slots.flatMap((s, i) => (s.holder === null ? [i] : []));
  const empty = free.filter((i) => slots[i]!.queued === 0);
  const keep = free.length - empty.length > 0 ? 0 : 1;
  return empty.slice(keep).reverse();
}

/**
 * The kernel's SO_REUSEPORT array after the socket at `index` leaves it: the last one moves into
 * its place (reuseport_detach_sock). Returns the new order.
 */
export function withoutSlot<T>(slots: readonly T[], index: number): T[] {
  const next = [...slots];
  const last = next.pop()!;
  if (index < next.length) next[index] = last;
  return next;
}

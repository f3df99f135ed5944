/**
 * A pool's event buffer (EventListenerPool._acceptEvent): at most `size` events, oldest first;
 * accepting into a full buffer discards the oldest. A rejected event goes back at the head.
 */
export class EventBuffer<T> {
  private readonly items: T[] = [];

  /** The capacity; a smaller size takes effect at the next accept. */
  constructor(public size: number) {}

  get length(): number {
    return this.items.length;
  }

  /** Adds an event (at the head when rebuffered); returns the events discarded to make room. */
  accept(item: T, head = false): T[] {
    const discarded: T[] = [];
    while (this.items.length >= this.size && this.items.length > 0) discarded.push(this.items.shift()!);
    if (head) this.items.unshift(item);
    else this.items.push(item);
    return discarded;
  }

  /** The oldest event, left in place. */
  peek(): T | undefined {
    return this.items[0];
  }

  shift(): T | undefined {
    return this.items.shift();
  }

  toArray(): T[] {
    return [...this.items];
  }
}

/**
 * One event as the daemon passes it around (`supervisor.emit('event', e)`): its type, payload
 * and serials. Like supervisor, the global serial is taken when the event is first delivered
 * (accepted by a listener pool, or sent to a `tsupervisorctl events` stream), so events nobody
 * wants take no number; each pool numbers the events it accepts (poolserial).
 */
import type { EventBody } from './payload.js';
import { subscribes, type EventType } from './types.js';

/** supervisor's new_serial: counts from 0, wraps at the largest integer. */
export class SerialCounter {
  private last = -1;

  /** The last serial given (-1: none yet). */
  get lastGiven(): number {
    return this.last;
  }

  /** reexec: go on after the previous image's last serial. */
  continueFrom(last: number): void {
    this.last = last;
  }

  next(): number {
    if (this.last >= Number.MAX_SAFE_INTEGER) this.last = -1;
    this.last += 1;
    return this.last;
  }
}

export class SupervisorEvent {
  private assigned: number | null = null;
  /** The serial each pool gave it (kept when the event is rebuffered). */
  readonly poolSerials = new Map<string, number>();

  constructor(
    readonly body: EventBody,
    private readonly serials: SerialCounter,
  ) {}

  get type(): EventType {
    return this.body.type;
  }

  /** reexec: an event carried from the previous image keeps the serial it had. */
  keepSerial(serial: number | null): void {
    this.assigned = serial;
  }

  /** Whether it has its global serial yet. */
  get numbered(): boolean {
    return this.assigned !== null;
  }

  /** The global serial (taken on first use). */
  get serial(): number {
    if (this.assigned === null) this.assigned = this.serials.next();
    return this.assigned;
  }

  /** The payload's first-line fields as key/values. */
  get payload(): Record<string, string> {
    return Object.fromEntries(this.body.fields);
  }

  get data(): string | undefined {
    return this.body.data;
  }

  /** The payload text a listener receives. */
  get text(): string {
    return this.body.text;
  }

  /** Does a subscription to these names (abstract names included) receive this event? */
  matches(types: readonly string[]): boolean {
    return subscribes(types, this.body.type);
  }
}

/**
 * An [eventlistener:x] pool (supervisor's EventListenerPool): the events it subscribed to are
 * numbered (poolserial) and buffered, then sent one at a time to a listener that is RUNNING and
 * READY, first one in the group's order. A rejected event goes back to the head of the buffer.
 */
import type { Logger } from '../logger.js';
import type { ProcessGroup } from '../process/group.js';
import type { Subprocess } from '../process/subprocess.js';
import { EventBuffer } from './event-buffer.js';
import { SerialCounter, type SupervisorEvent } from './event.js';
import { ListenerOutput } from './listener-output.js';
import { envelope } from './payload.js';

export interface PoolOptions {
  /** supervisord's identifier (the `server:` of the header line). */
  identifier: string;
  logger: Logger;
  /** An event was discarded from the full buffer (counted for /metrics). */
  onDropped?(): void;
}

export class ListenerPool {
  private readonly buffer: EventBuffer<SupervisorEvent>;
  private readonly serials = new SerialCounter();
  private dispatching = false;

  constructor(
    readonly group: ProcessGroup,
    private readonly options: PoolOptions,
  ) {
    this.buffer = new EventBuffer(group.config.listener?.bufferSize ?? 10);
    this.bind();
  }

  get name(): string {
    return this.group.name;
  }

  /** Events waiting for a listener (oldest first). */
  pending(): SupervisorEvent[] {
    return this.buffer.toArray();
  }

  /** reexec: the last pool serial given and the buffered events, for the next image. */
  exportState(): { serial: number; pending: SupervisorEvent[] } {
    return { serial: this.serials.lastGiven, pending: this.buffer.toArray() };
  }

  /** reexec, before any event: go on with the previous image's serial and buffer. */
  restore(serial: number, pending: readonly SupervisorEvent[]): void {
    this.serials.continueFrom(serial);
    for (const e of pending) this.buffer.accept(e, false);
  }

  /** The event types subscribed to (read each time: update may change the group in place). */
  get events(): readonly string[] {
    return this.group.config.listener?.events ?? [];
  }

  /** An event happened: keep it if this pool subscribed to its type, and try to send. */
  offer(event: SupervisorEvent): void {
    if (!event.matches(this.events)) return;
    this.accept(event, false);
    this.dispatch();
  }

  /** Send buffered events, oldest first, while some listener is RUNNING and READY. */
  dispatch(): void {
    if (this.dispatching) return;
    this.dispatching = true;
    this.bind();
    try {
      for (let event = this.buffer.peek(); event; event = this.buffer.peek()) {
        if (!this.send(event)) break;
        this.buffer.shift();
      }
    } finally {
      this.dispatching = false;
    }
  }

  /** The group is going away: its listeners no longer report here. */
  dispose(): void {
    for (const p of this.group.processes) {
      const output = listenerOutput(p);
      if (output) output.handler = null;
    }
  }

  /** Listen to every listener of the group (processes may join the group after creation). */
  private bind(): void {
    for (const p of this.group.processes) {
      const output = listenerOutput(p);
      if (output && output.handler?.pool !== this) {
        output.handler = {
          pool: this,
          ready: () => this.dispatch(),
          rejected: (event) => {
            this.accept(event, true);
            this.dispatch();
          },
        };
      }
    }
  }

  private accept(event: SupervisorEvent, head: boolean): void {
    this.buffer.size = this.group.config.listener?.bufferSize ?? this.buffer.size;
    const serial = event.serial;
    if (!event.poolSerials.has(this.name)) event.poolSerials.set(this.name, this.serials.next());
    else {
      this.options.logger.log(
        'debug',
        `rebuffering event ${serial} for pool ${this.name} (buf size=${this.buffer.length}, max=${this.buffer.size})`,
      );
    }
    for (const discarded of this.buffer.accept(event, head)) {
      this.options.logger.log('error', `pool ${this.name} event buffer overflowed, discarding event ${discarded.serial}`);
      this.options.onDropped?.();
    }
  }

  private send(event: SupervisorEvent): boolean {
    for (const p of this.group.processes) {
      const output = listenerOutput(p);
      if (!output || p.state !== 'RUNNING' || output.state !== 'READY') continue;
      const text = envelope({
        identifier: this.options.identifier,
        serial: event.serial,
        pool: this.name,
        poolserial: event.poolSerials.get(this.name)!,
        type: event.type,
        payload: event.text,
      });
      try {
        p.sendStdin(text);
      } catch {
        this.options.logger.log('debug', `epipe occurred while sending event ${event.serial} to listener ${p.name}, listener state unchanged`);
        continue;
      }
      output.busy(event);
      this.options.logger.log('debug', `event ${event.serial} sent to listener ${p.name}`);
      return true;
    }
    return false;
  }
}

function listenerOutput(p: Subprocess): ListenerOutput | null {
  return p.output instanceof ListenerOutput ? p.output : null;
}

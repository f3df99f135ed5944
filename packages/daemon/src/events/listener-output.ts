/**
 * The output of an event listener process: its stdout is the protocol channel (READY, RESULT),
 * also copied to its stdout log as supervisor does; its stderr is an ordinary log. Each spawn
 * starts ACKNOWLEDGED. When the spawn's pipes are drained while an event is in flight (the
 * listener died BUSY), the event is handed back to the pool.
 */
import { Transform } from 'node:stream';
import { PipeSource, readableOf, type OutputStream } from '../logs/pipe-source.js';
import type { LogChannel } from '@tsupervisor/protocol';
import type { Logger } from '../logger.js';
import type { ChildOutput } from '../process/output.js';
import type { SupervisorEvent } from './event.js';
import { feed, initialProtocol, MAX_RESULT_LINE, sent, type ListenerStateName, type ProtocolOutcome, type ProtocolState } from './listener-protocol.js';

/** What the pool hears from one of its listeners. */
export interface ListenerHandler {
  /** Who is listening (a pool binds itself once). */
  readonly pool: unknown;
  /** The listener is READY for an event. */
  ready(): void;
  /** The event in flight was rejected (FAIL, a bad RESULT line, or the listener went away). */
  rejected(event: SupervisorEvent): void;
}

export class ListenerOutput implements ChildOutput {
  private protocol: ProtocolState = initialProtocol;
  private inFlight: SupervisorEvent | null = null;
  private spawns = 0;
  handler: ListenerHandler | null = null;

  constructor(
    private readonly inner: ChildOutput,
    private readonly processName: string,
    private readonly logger: Logger,
  ) {}

  get stdoutPath(): string {
    return this.inner.stdoutPath;
  }
  get stderrPath(): string {
    return this.inner.stderrPath;
  }
  get state(): ListenerStateName {
    return this.protocol.state;
  }
  /** The event being processed (BUSY), if any. */
  get event(): SupervisorEvent | null {
    return this.inFlight;
  }

  async attach(stdout: OutputStream | null, stderr: OutputStream | null): Promise<void> {
    this.lose();
    const spawn = ++this.spawns;
    this.protocol = initialProtocol;
    const current = () => spawn === this.spawns;
    const tapped = stdout ? tap(stdout, (chunk) => current() && this.receive(chunk)) : null;
    try {
      await this.inner.attach(tapped, stderr);
    } finally {
      if (current()) this.lose();
    }
  }

  /** reexec: the protocol state and the event in flight, for the next image. */
  exportState(): { protocol: ProtocolState; inFlight: SupervisorEvent | null } {
    return { protocol: this.protocol, inFlight: this.inFlight };
  }

  /** reexec, once the adopted pipes are attached: go on where the previous image was. */
  restore(protocol: ProtocolState, inFlight: SupervisorEvent | null): void {
    this.protocol = protocol;
    this.inFlight = inFlight;
  }

  /** The pool wrote `event` to this listener's stdin. */
  busy(event: SupervisorEvent): void {
    const next = sent(this.protocol);
    this.protocol = next.state;
    this.inFlight = event;
    this.logChange(next.outcomes);
  }

  read(channel: LogChannel, offset: number, length: number): Promise<string> {
    return this.inner.read(channel, offset, length);
  }
  tail(channel: LogChannel, offset: number, length: number) {
    return this.inner.tail(channel, offset, length);
  }
  clear(): Promise<void> {
    return this.inner.clear();
  }
  head(channel: LogChannel, bytes: number) {
    return this.inner.head ? this.inner.head(channel, bytes) : Promise.reject(new Error('no log head'));
  }
  get logFiles(): number | undefined {
    return this.inner.logFiles;
  }
  reopen(signal?: boolean): Promise<void> {
    return this.inner.reopen(signal);
  }
  close(): Promise<void> {
    return this.inner.close();
  }

  private receive(chunk: Buffer): void {
    const before = this.protocol.state;
    const next = feed(this.protocol, chunk);
    this.protocol = next.state;
    const rejected: SupervisorEvent[] = [];
    for (const outcome of next.outcomes) {
      if (outcome.type === 'result') {
        if (outcome.ok) this.logger.log('debug', `${this.processName}: event was processed`);
        else this.logger.log('warn', `${this.processName}: event was rejected`);
        if (!outcome.ok && this.inFlight) rejected.push(this.inFlight);
        this.inFlight = null;
      } else if (outcome.type === 'badResult' || outcome.type === 'overlongResult') {
        this.logger.log('warn', `${this.processName}: ${describeBadResult(outcome)}`);
        if (this.inFlight) rejected.push(this.inFlight);
        this.inFlight = null;
      }
    }
    this.logChange(next.outcomes);
    if (this.protocol.state === 'UNKNOWN' && before !== 'UNKNOWN') this.inFlight = null;
    for (const event of rejected) this.handler?.rejected(event);
    if (this.protocol.state === 'READY') this.handler?.ready();
  }

  private logChange(outcomes: ProtocolOutcome[]): void {
    for (const o of outcomes) {
      if (o.type !== 'change') continue;
      this.logger.log('debug', `${this.processName}: ${o.from} -> ${o.to}`);
      if (o.to === 'UNKNOWN') {
        this.logger.log(
          'warn',
          `${this.processName}: has entered the UNKNOWN state and will no longer receive events, this usually indicates the process violated the eventlistener protocol`,
        );
      }
    }
  }

  /** The spawn is over: an event still in flight goes back to the pool. */
  private lose(): void {
    const event = this.inFlight;
    this.inFlight = null;
    if (event) this.handler?.rejected(event);
  }
}

/** The warning for a RESULT line the protocol could not use (supervisor's text for a bad one). */
function describeBadResult(o: Extract<ProtocolOutcome, { type: 'badResult' | 'overlongResult' }>): string {
  if (o.type === 'badResult') return `bad result line: '${o.line}'`;
  return `result line longer than ${MAX_RESULT_LINE} bytes (${o.bytes} bytes without a newline): dropped`;
}

/**
 * `source`, showing each chunk to `see` first. A PipeSource (the daemon's pipes) shows it its
 * reads directly (`see` keeps no reference to a chunk: the protocol copies what it keeps); any
 * other stream goes through a pass-through copy.
 */
export function tap(source: OutputStream, see: (chunk: Buffer) => void): OutputStream {
  const safeSee = (chunk: Buffer) => {
    try {
      see(chunk);
    } catch {
      // the protocol must never stop the log
    }
  };
  if (source instanceof PipeSource) {
    source.observe(safeSee);
    return source;
  }
  const stream = readableOf(source);
  const copy = new Transform({
    transform(chunk: Buffer, _enc, done) {
      safeSee(chunk);
      done(null, chunk);
    },
  });
  stream.on('error', (err) => copy.destroy(err));
  return stream.pipe(copy);
}

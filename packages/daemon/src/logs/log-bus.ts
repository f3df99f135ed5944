/**
 * A small pub/sub of log output, keyed by namespec and channel, for `tsupervisor.followLogs`
 * (`tail -f web:* worker`): captures publish each chunk, followers subscribe, nothing polls.
 * The daemon's own log is published under MAIN_LOG_NAME.
 *
 * `subscribe` decodes the chunks for its listener with a streaming UTF-8 decoder of its own
 * (started at the subscription), so a character split across two reads arrives whole;
 * `subscribeRaw` hands over the bytes as they come (tsupervisor.followLogs, which joins them to
 * the bytes read from the file). Publishing with no follower costs one map lookup. A follower
 * that throws is dropped. Slow followers are the transport's concern: listeners must not block.
 */
import { StringDecoder } from 'node:string_decoder';
import type { LogChannel } from '@tsupervisor/protocol';

/** The name the main log is published under (the `tsupervisor.log` notification's `name`). */
export const MAIN_LOG_NAME = 'supervisord';

export type LogListener = (data: string, name: string, channel: LogChannel) => void;
/** A chunk as published: bytes (only valid during the call: copy to keep) or a string (the main log). */
export type RawLogListener = (chunk: Uint8Array | string, name: string, channel: LogChannel) => void;

interface Topic {
  listeners: Set<RawLogListener>;
}

function keyOf(name: string, channel: LogChannel): string {
  return `${channel}\u0000${name}`;
}

/** Decodes one follower's chunks: bytes through a streaming UTF-8 decoder, strings as they are. */
export function chunkDecoder(decoder = new StringDecoder('utf8')): (chunk: Uint8Array | string) => string {
  return (chunk) => {
    if (typeof chunk === 'string') return chunk;
    return decoder.write(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  };
}

export class LogBus {
  private readonly topics = new Map<string, Topic>();
  /** Told when a name's channel gets its first follower (its output may be spliced: see capture.ts). */
  onFollowed: ((name: string, channel: LogChannel) => void) | null = null;

  /** Follows `name`'s `channel` as text; returns the unsubscribe function (idempotent). */
  subscribe(name: string, channel: LogChannel, listener: LogListener): () => void {
    const decode = chunkDecoder();
    return this.subscribeRaw(name, channel, (chunk, n, c) => {
      const data = decode(chunk);
      if (data.length > 0) listener(data, n, c);
    });
  }

  /** Follows `name`'s `channel` as published (see RawLogListener). */
  subscribeRaw(name: string, channel: LogChannel, listener: RawLogListener): () => void {
    const key = keyOf(name, channel);
    let topic = this.topics.get(key);
    if (!topic) {
      topic = { listeners: new Set() };
      this.topics.set(key, topic);
      this.onFollowed?.(name, channel);
    }
    const entry: RawLogListener = (chunk, n, c) => listener(chunk, n, c);
    topic.listeners.add(entry);
    return () => this.remove(key, entry);
  }

  /** Whether anyone follows `name`'s `channel`. */
  hasFollowers(name: string, channel: LogChannel): boolean {
    return this.topics.has(keyOf(name, channel));
  }

  /** Sends a chunk (bytes or text) to the followers of `name`'s `channel`. */
  publish(name: string, channel: LogChannel, chunk: Uint8Array | string): void {
    const key = keyOf(name, channel);
    const topic = this.topics.get(key);
    if (!topic || chunk.length === 0) return;
    for (const listener of [...topic.listeners]) {
      try {
        listener(chunk, name, channel);
      } catch {
        this.remove(key, listener);
      }
    }
  }

  /** Number of subscriptions (all keys), for tests and status. */
  get size(): number {
    let n = 0;
    for (const topic of this.topics.values()) n += topic.listeners.size;
    return n;
  }

  private remove(key: string, listener: RawLogListener): void {
    const topic = this.topics.get(key);
    if (!topic) return;
    topic.listeners.delete(listener);
    if (topic.listeners.size === 0) this.topics.delete(key);
  }
}

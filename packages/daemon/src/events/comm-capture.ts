/**
 * Capture mode (`stdout_capture_maxbytes` / `stderr_capture_maxbytes` > 0): what a child writes
 * between `<!--XSUPERVISOR:BEGIN-->` and `<!--XSUPERVISOR:END-->` is kept out of its log and
 * becomes one PROCESS_COMMUNICATION event (supervisor's POutputDispatcher.record_output).
 * The captured text is bounded like supervisor's BoundIO: a write that would overflow first
 * drops as many bytes from the front as it brings.
 *
 * Unlike supervisor, output that cannot be the start of a token is logged at once instead of
 * waiting for more than a token's length of data.
 */
import { Transform, type Readable } from 'node:stream';
import { readableOf, type OutputStream } from '../logs/pipe-source.js';

export const BEGIN_TOKEN = Buffer.from('<!--XSUPERVISOR:BEGIN-->');
export const END_TOKEN = Buffer.from('<!--XSUPERVISOR:END-->');

export type ScanPart = { kind: 'log'; data: Buffer } | { kind: 'comm'; data: Buffer };

export class CommScanner {
  private pending = Buffer.alloc(0);
  private capturing = false;
  private captured = Buffer.alloc(0);

  constructor(private readonly maxbytes: number) {}

  feed(chunk: Buffer): ScanPart[] {
    const parts: ScanPart[] = [];
    let buf = Buffer.concat([this.pending, chunk]);
    for (;;) {
      const token = this.capturing ? END_TOKEN : BEGIN_TOKEN;
      const at = buf.indexOf(token);
      if (at < 0) {
        const keep = prefixAtEnd(buf, token);
        this.take(buf.subarray(0, buf.length - keep), parts);
        this.pending = Buffer.from(buf.subarray(buf.length - keep));
        return parts;
      }
      this.take(buf.subarray(0, at), parts);
      if (this.capturing) {
        parts.push({ kind: 'comm', data: this.captured });
        this.captured = Buffer.alloc(0);
      }
      this.capturing = !this.capturing;
      buf = buf.subarray(at + token.length);
    }
  }

  /** The stream ended: what was held back is logged; an unfinished capture is dropped. */
  end(): ScanPart[] {
    const rest = this.pending;
    this.pending = Buffer.alloc(0);
    this.captured = Buffer.alloc(0);
    return rest.length > 0 && !this.capturing ? [{ kind: 'log', data: rest }] : [];
  }

  private take(data: Buffer, parts: ScanPart[]): void {
    if (data.length === 0) return;
    if (!this.capturing) {
      parts.push({ kind: 'log', data: Buffer.from(data) });
      return;
    }
    let kept = this.captured;
    if (kept.length + data.length > this.maxbytes) kept = kept.subarray(data.length);
    this.captured = Buffer.concat([kept, data]);
  }
}

/** Length of the longest proper prefix of `token` that ends `buf` (asynchat's find_prefix_at_end). */
export function prefixAtEnd(buf: Buffer, token: Buffer): number {
  for (let l = Math.min(token.length - 1, buf.length); l > 0; l--) {
    if (buf.subarray(buf.length - l).equals(token.subarray(0, l))) return l;
  }
  return 0;
}

/** `stream` without its captured sections; each captured section goes to `onComm`. */
export function filterCommunication(source: OutputStream, maxbytes: number, onComm: (data: Buffer) => void): Readable {
  const stream = readableOf(source);
  const scanner = new CommScanner(maxbytes);
  const route = (parts: ScanPart[], push: (b: Buffer) => void) => {
    for (const part of parts) {
      if (part.kind === 'log') push(part.data);
      else onComm(part.data);
    }
  };
  const filter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      route(scanner.feed(chunk), (b) => this.push(b));
      done();
    },
    flush(done) {
      route(scanner.end(), (b) => this.push(b));
      done();
    },
  });
  stream.on('error', (err) => filter.destroy(err));
  return stream.pipe(filter);
}

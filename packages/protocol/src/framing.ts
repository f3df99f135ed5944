/**
 * Framing on the control socket: one JSON-RPC 2.0 message per line (UTF-8 JSON, `\n`
 * terminated; JSON text never holds a raw newline). A frame longer than the reader's limit is
 * refused: the daemon answers with a FRAME_TOO_LARGE error and closes the connection.
 */

/** Largest request frame the daemon accepts (1 MiB). */
export const MAX_REQUEST_FRAME = 1024 * 1024;
/** Largest frame the client accepts from the daemon (64 MiB: log reads can be large). */
export const MAX_RESPONSE_FRAME = 64 * 1024 * 1024;

export class FrameTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`frame larger than ${limit} bytes`);
  }
}

/** Splits a byte stream into lines; throws FrameTooLarge when a line outgrows the limit. */
export class LineDecoder {
  private parts: Buffer[] = [];
  private size = 0;

  constructor(private readonly limit: number) {}

  /** True while part of a frame has arrived without its newline. */
  get partial(): boolean {
    return this.parts.length > 0;
  }

  push(chunk: Buffer): string[] {
    const lines: string[] = [];
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(10, start);
      if (nl < 0) break;
      const piece = chunk.subarray(start, nl);
      if (this.size + piece.length > this.limit) throw new FrameTooLarge(this.limit);
      this.parts.push(piece);
      lines.push(Buffer.concat(this.parts).toString('utf8'));
      this.parts = [];
      this.size = 0;
      start = nl + 1;
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      this.size += rest.length;
      if (this.size > this.limit) throw new FrameTooLarge(this.limit);
      this.parts.push(Buffer.from(rest));
    }
    return lines;
  }
}

export function encodeFrame(message: unknown): string {
  return JSON.stringify(message) + '\n';
}

/**
 * Per-line timestamps for child output (tsupervisor's `log_timestamps=true`): every line
 * starts with `YYYY-MM-DD HH:MM:SS,mmm ` — the time its first byte was read. Chunks may end
 * mid-line; the stamper remembers whether the next byte starts a line. Pure apart from that.
 *
 * The bytes go through a latin1 string (one char per byte, so any bytes survive unchanged):
 * V8's replaceAll is much faster than copying line by line.
 */
import { formatLogTime } from './timestamp.js';

const NEWLINE = 0x0a;

export class LineStamper {
  private atLineStart = true;

  /** The chunk with a prefix before each line that starts in it; `now` is the read time. */
  stamp(chunk: Buffer, now: Date): Buffer {
    if (chunk.length === 0) return chunk;
    const first = this.atLineStart;
    const endsLine = chunk[chunk.length - 1] === NEWLINE;
    this.atLineStart = endsLine;
    const inner = chunk.indexOf(NEWLINE);
    if (!first && (inner === -1 || inner === chunk.length - 1)) return chunk;

    const prefix = `${formatLogTime(now)} `;
    let text = chunk.toString('latin1', 0, endsLine ? chunk.length - 1 : chunk.length);
    text = text.replaceAll('\n', `\n${prefix}`);
    return Buffer.from(`${first ? prefix : ''}${text}${endsLine ? '\n' : ''}`, 'latin1');
  }
}

/**
 * Per-line timestamps for child output (tsupervisor's `log_timestamps=true`): every line
 * starts with `YYYY-MM-DD HH:MM:SS,mmm ` — the time its first byte was read. Chunks may end
 * mid-line; the stamper remembers whether the next byte starts a line. Pure apart from that.
 */
import { formatLogTime } from './timestamp.js';

const NEWLINE = 0x0a;

export class LineStamper {
  private atLineStart = true;

  /** The chunk with a prefix before each line that starts in it; `now` is the read time. */
  stamp(chunk: Buffer, now: Date): Buffer {
    if (chunk.length === 0) return chunk;
    const first = this.atLineStart;
    this.atLineStart = chunk[chunk.length - 1] === NEWLINE;

    // Line starts: the first byte if a line starts there, and each byte after an inner newline.
    let starts = first ? 1 : 0;
    for (let nl = chunk.indexOf(NEWLINE); nl !== -1 && nl < chunk.length - 1; nl = chunk.indexOf(NEWLINE, nl + 1)) {
      starts++;
    }
    if (starts === 0) return chunk;

    const prefix = Buffer.from(`${formatLogTime(now)} `, 'latin1');
    const out = Buffer.allocUnsafe(chunk.length + starts * prefix.length);
    let o = first ? prefix.copy(out, 0) : 0;
    let i = 0;
    while (i < chunk.length) {
      const nl = chunk.indexOf(NEWLINE, i);
      const stop = nl === -1 ? chunk.length : nl + 1;
      o += chunk.copy(out, o, i, stop);
      i = stop;
      if (i < chunk.length) o += prefix.copy(out, o);
    }
    return out;
  }
}

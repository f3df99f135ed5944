/**
 * Removing ANSI escapes from child output (`strip_ansi=true`), with supervisor's rule
 * (dispatchers.py stripEscapes): from `ESC [` up to and including the first byte among
 * `H f A B C D R s u J K h l p m`. Unlike supervisor, the state carries across chunks, so an
 * escape split between two reads is still removed. Pure apart from that state.
 */

const ESC = 0x1b;
const BRACKET = 0x5b; // '['
const TERMINATORS = new Set(Array.from('HfABCDRsuJKhlpm', (c) => c.charCodeAt(0)));

type State = 'text' | 'esc' | 'escape';

export class AnsiStripper {
  /** 'esc': the previous chunk ended with a lone ESC; 'escape': inside `ESC [ …`. */
  private state: State = 'text';

  /** The chunk without escapes (may be empty). A lone trailing ESC is held back. */
  strip(chunk: Buffer): Buffer {
    if (this.state === 'text' && chunk.indexOf(ESC) === -1) return chunk;
    const out = Buffer.allocUnsafe(chunk.length + 1);
    let n = 0;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (this.state === 'escape') {
        if (TERMINATORS.has(b)) this.state = 'text';
        continue;
      }
      if (this.state === 'esc') {
        this.state = 'text';
        if (b === BRACKET) {
          this.state = 'escape';
          continue;
        }
        out[n++] = ESC; // the held-back ESC was not the start of an escape
      }
      if (b === ESC) {
        if (i + 1 === chunk.length) this.state = 'esc';
        else if (chunk[i + 1] === BRACKET) {
          this.state = 'escape';
          i++;
        } else out[n++] = b;
        continue;
      }
      out[n++] = b;
    }
    return out.subarray(0, n);
  }

  /** Bytes held back at end of stream (a lone ESC), to be written as they are. */
  flush(): Buffer {
    const rest = this.state === 'esc' ? Buffer.from([ESC]) : Buffer.alloc(0);
    this.state = 'text';
    return rest;
  }
}

/** One-shot strip of a complete buffer. */
export function stripAnsi(data: Buffer): Buffer {
  const s = new AnsiStripper();
  return Buffer.concat([s.strip(data), s.flush()]);
}

/** Raw-mode terminal input as key names (pure): arrows, paging, Enter, Escape, Backspace, characters. */

export type Key = 'up' | 'down' | 'pageup' | 'pagedown' | 'home' | 'end' | 'enter' | 'escape' | 'backspace' | 'interrupt' | { char: string };

const SEQUENCES: Array<[string, Key]> = [
  ['\x1b[A', 'up'],
  ['\x1bOA', 'up'],
  ['\x1b[B', 'down'],
  ['\x1bOB', 'down'],
  ['\x1b[5~', 'pageup'],
  ['\x1b[6~', 'pagedown'],
  ['\x1b[H', 'home'],
  ['\x1b[1~', 'home'],
  ['\x1b[F', 'end'],
  ['\x1b[4~', 'end'],
];

export function parseKeys(data: string): Key[] {
  const keys: Key[] = [];
  let i = 0;
  while (i < data.length) {
    const seq = SEQUENCES.find(([s]) => data.startsWith(s, i));
    if (seq) {
      keys.push(seq[1]);
      i += seq[0].length;
      continue;
    }
    const c = data[i]!;
    if (c === '\x1b') {
      // an unknown sequence (other function keys) is skipped whole; a lone ESC is Escape
      const m = /^\x1b(\[[0-9;]*[~A-Za-z]|O[A-Za-z])/.exec(data.slice(i));
      if (!m) keys.push('escape');
      i += m ? m[0].length : 1;
      continue;
    }
    if (c === '\r' || c === '\n') keys.push('enter');
    else if (c === '\x7f' || c === '\b') keys.push('backspace');
    else if (c === '\x03') keys.push('interrupt');
    else if (c >= ' ') keys.push({ char: c });
    i++;
  }
  return keys;
}

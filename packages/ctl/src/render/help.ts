/** `help` without a topic: Python cmd.Cmd.print_topics/columnize, as supervisorctl prints it. */
import { ljust, pyLen } from './text.js';

/** cmd.Cmd.columnize: as few rows as fit `width` columns, filled column by column. */
export function columnize(words: string[], width = 79): string[] {
  if (words.length === 0) return ['<empty>'];
  if (words.length === 1) return [words[0]];
  const size = words.length;
  let nrows = size;
  let colwidths: number[] = [0];
  let found = false;
  for (let rows = 1; rows < size; rows++) {
    const ncols = Math.ceil(size / rows);
    const widths: number[] = [];
    let total = -2;
    for (let col = 0; col < ncols; col++) {
      let w = 0;
      for (let row = 0; row < rows; row++) {
        const i = row + rows * col;
        if (i >= size) break;
        w = Math.max(w, pyLen(words[i]));
      }
      widths.push(w);
      total += w + 2;
      if (total > width) break;
    }
    if (total <= width) {
      nrows = rows;
      colwidths = widths;
      found = true;
      break;
    }
  }
  if (!found) {
    nrows = size;
    colwidths = [0];
  }
  const ncols = found ? Math.ceil(size / nrows) : 1;
  const lines: string[] = [];
  for (let row = 0; row < nrows; row++) {
    const texts: string[] = [];
    for (let col = 0; col < ncols; col++) {
      const i = row + nrows * col;
      texts.push(i >= size ? '' : words[i]);
    }
    while (texts.length > 0 && texts[texts.length - 1] === '') texts.pop();
    lines.push(texts.map((t, col) => ljust(t, colwidths[col])).join('  '));
  }
  return lines;
}

/** The whole `help` text: a blank line, header, ruler, columns, a blank line (no final newline). */
export function topicsText(names: string[], header = 'default commands (type help <topic>):'): string {
  const sorted = [...names].sort();
  return ['', header, '='.repeat(pyLen(header)), ...columnize(sorted, 79), ''].join('\n');
}

/** Python's `%-Ns` and `str.ljust`: pad with spaces to a width counted in code points. */
export function ljust(s: string, width: number): string {
  const length = pyLen(s);
  return length >= width ? s : s + ' '.repeat(width - length);
}

/** Python's len() of a str (code points, not UTF-16 units). */
export function pyLen(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** Python's str ordering (code points), shared with the daemon. */
export { pyCompare } from '@tsupervisor/protocol';

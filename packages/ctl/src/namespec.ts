/** supervisor's process naming (split_namespec, make_namespec: @tsupervisor/protocol) and word splitting. */
export { makeNamespec, splitNamespec } from '@tsupervisor/protocol';

/** Whitespace split as Python's `str.split()` (no empty words). */
export function splitWords(arg: string): string[] {
  return arg.split(/\s+/).filter((w) => w !== '');
}

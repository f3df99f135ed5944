/** supervisor's process naming: `group:process`, `group:*`, `group:`, or a bare `name`. */

/**
 * `g:p` → [g, p]; `g:*` and `g:` → [g, null] (the whole group); `name` → [name, name]
 * (options.split_namespec).
 */
export function splitNamespec(namespec: string): [group: string, process: string | null] {
  const colon = namespec.indexOf(':');
  if (colon < 0) return [namespec, namespec];
  const group = namespec.slice(0, colon);
  const process = namespec.slice(colon + 1);
  return [group, process === '' || process === '*' ? null : process];
}

/**
 * The short name of a process: `name` when group and process names agree, else `group:name`
 * (options.make_namespec). A missing process prints as Python's `None`, as supervisorctl does
 * for `clear g:*`.
 */
export function makeNamespec(group: string, process: string | null): string {
  if (group === process) return process;
  return `${group}:${process ?? 'None'}`;
}

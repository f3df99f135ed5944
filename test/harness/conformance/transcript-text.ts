/**
 * How command output becomes transcript text: the normalisation that makes a recording
 * repeatable (pids, uptimes, dates, log timestamps, temp paths, auto log names, the run's ports
 * back to @PORTn@ where they follow a colon, as in `http://127.0.0.1:PORT`), stderr marked
 * line by line, sorted output for `!sorted`, and printf's %b escapes for `!append` / `!write`.
 *
 * All strings here are in the latin1 domain: one char per byte, so ASCII-only regexes act as
 * they do in the C locale and no byte is altered.
 */
import type { Places } from './case-format.js';

/** A UTF-8 string (a path, an argv word) as the latin1 text of its bytes, and back. */
export const latin1Of = (s: string) => Buffer.from(s, 'utf8').toString('latin1');
export const utf8Of = (s: string) => Buffer.from(s, 'latin1').toString('utf8');

/** Applies `fn` to each line, keeping the line ends (and a missing last one) as they are. */
function eachLine(text: string, fn: (line: string) => string): string {
  return text.split('\n').map(fn).join('\n');
}

/** The normalisation of one command's output. `display` is the step as written in `steps`. */
export function normalise(text: string, display: string, p: Places): string {
  const isPid = display === 'pid' || display.startsWith('pid ');
  return eachLine(text, (line) => {
    let s = line.replaceAll(p.tmp, '@TMP@').replaceAll(p.here, '@HERE@').replaceAll(p.root, '@ROOT@');
    s = s
      .replace(/pid [0-9]+/g, 'pid N')
      .replace(/uptime ([0-9]+ days?, )?[0-9]+:[0-9]{2}:[0-9]{2}/g, 'uptime T')
      .replace(/[A-Z][a-z]{2} [0-9]{2} [0-9]{2}:[0-9]{2} [AP]M/g, 'DATE')
      .replace(/[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2},[0-9]{3}/g, 'TIMESTAMP')
      .replace(/---supervisor-[A-Za-z0-9_]+\.log/g, '---supervisor-X.log')
      .replace(/For help, use .* -h$/, 'For help, use PROGRAM -h');
    if (isPid) s = s.replace(/^[1-9][0-9]*$/, 'N');
    return p.ports.reduce((t, port, i) => t.replace(new RegExp(`(?<=:)${port}(?![0-9])`, 'g'), `@PORT${i + 1}@`), s);
  });
}

/** Prefixes every line of stderr with "[stderr] " (nothing for empty output). */
export function markStderr(text: string): string {
  if (text === '') return '';
  const ended = text.endsWith('\n');
  const lines = (ended ? text.slice(0, -1) : text).split('\n');
  return lines.map((l) => `[stderr] ${l}`).join('\n') + (ended ? '\n' : '');
}

/** `sort` in the C locale: lines in byte order, each ending with a newline. */
export function sortLines(text: string): string {
  if (text === '') return '';
  const lines = (text.endsWith('\n') ? text.slice(0, -1) : text).split('\n');
  return lines.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).join('\n') + '\n';
}

const SIMPLE_ESCAPES: Record<string, string> = {
  '\\': '\\',
  a: '\x07',
  b: '\b',
  e: '\x1b',
  E: '\x1b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
};

/** bash's printf %b: backslash escapes (\n, \t, \\, \0NNN, \xHH, \c stops the output). */
export function printfB(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c !== '\\' || i + 1 >= s.length) {
      out += c;
      continue;
    }
    const e = s[i + 1]!;
    if (e in SIMPLE_ESCAPES) {
      out += SIMPLE_ESCAPES[e];
      i++;
    } else if (e === 'c') {
      return out;
    } else if (e === '0') {
      const m = /^[0-7]{0,3}/.exec(s.slice(i + 2))![0];
      out += String.fromCharCode(parseInt(m || '0', 8) & 0xff);
      i += 1 + m.length;
    } else if (e === 'x' && /^[0-9A-Fa-f]/.test(s.slice(i + 2))) {
      const m = /^[0-9A-Fa-f]{1,2}/.exec(s.slice(i + 2))![0];
      out += String.fromCharCode(parseInt(m, 16));
      i += 1 + m.length;
    } else {
      out += c;
    }
  }
  return out;
}

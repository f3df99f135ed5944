/**
 * The two tokenizers supervisor uses, ported from Python's `shlex` state machine:
 * - `splitCommand`: `shlex.split(command)` (POSIX mode, whitespace_split, no comments): how
 *   `command=` becomes argv. Quotes group, backslash escapes, no shell features.
 * - `keyValueTokens`: `shlex.shlex(value)` in NON-POSIX mode with `wordchars += '/.+-():'`, as
 *   datatypes.dict_of_key_value_pairs tokenizes `environment=`. Quoted strings keep their quotes,
 *   `#` starts a comment, any other character (`,` `=` …) is a token of its own.
 */
import { BadValue } from './errors.js';

const WHITESPACE = ' \t\r\n';
const QUOTES = '\'"';
const ESCAPE = '\\';
const ESCAPED_QUOTES = '"';

/** Python's `shlex.split(s)`. Throws BadValue("No closing quotation" / "No escaped character"). */
export function splitCommand(s: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (true) {
    let token = '';
    let quoted = false;
    let state: string | null = ' ';
    let escapedState = ' ';
    for (;;) {
      const ch = i < s.length ? s[i++] : '';
      if (state === ' ') {
        if (ch === '') {
          state = null;
          break;
        } else if (WHITESPACE.includes(ch)) {
          if (token || quoted) break;
        } else if (ch === ESCAPE) {
          escapedState = 'a';
          state = ch;
        } else if (QUOTES.includes(ch)) {
          state = ch;
        } else {
          token = ch;
          state = 'a';
        }
      } else if (QUOTES.includes(state)) {
        quoted = true;
        if (ch === '') throw new BadValue('No closing quotation');
        if (ch === state) state = 'a';
        else if (ch === ESCAPE && ESCAPED_QUOTES.includes(state)) {
          escapedState = state;
          state = ch;
        } else token += ch;
      } else if (state === ESCAPE) {
        if (ch === '') throw new BadValue('No escaped character');
        // Within quotes only the quote itself or the escape character may be escaped.
        if (QUOTES.includes(escapedState) && ch !== state && ch !== escapedState) token += state;
        token += ch;
        state = escapedState;
      } else {
        // state 'a': inside a word
        if (ch === '') {
          state = null;
          break;
        } else if (WHITESPACE.includes(ch)) {
          state = ' ';
          if (token || quoted) break;
        } else if (QUOTES.includes(ch)) {
          state = ch;
        } else if (ch === ESCAPE) {
          escapedState = 'a';
          state = ch;
        } else token += ch;
      }
    }
    if (token === '' && !quoted) {
      if (state === null) return out;
      continue;
    }
    out.push(token);
    if (state === null) return out;
  }
}

const KV_WORDCHARS = new Set(
  'abcdfeghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_' + '/.+-():',
);
const COMMENTERS = '#';

/** Python's `list(shlex.shlex(s))` with supervisor's extra word characters (non-POSIX mode). */
export function keyValueTokens(s: string): string[] {
  const chars = [...s];
  let i = 0;
  const pushback: string[] = [];
  const tokens: string[] = [];
  const skipLine = (): void => {
    while (i < chars.length && chars[i] !== '\n') i++;
    if (i < chars.length) i++;
  };
  for (;;) {
    if (pushback.length > 0) {
      tokens.push(pushback.shift()!);
      continue;
    }
    let token = '';
    let state: string | null = ' ';
    for (;;) {
      const ch = i < chars.length ? chars[i++] : '';
      if (state === ' ') {
        if (ch === '') {
          state = null;
          break;
        } else if (WHITESPACE.includes(ch)) {
          if (token) break;
        } else if (COMMENTERS.includes(ch)) {
          skipLine();
        } else if (KV_WORDCHARS.has(ch)) {
          token = ch;
          state = 'a';
        } else if (QUOTES.includes(ch)) {
          token = ch;
          state = ch;
        } else {
          token = ch;
          break;
        }
      } else if (QUOTES.includes(state)) {
        if (ch === '') throw new BadValue('No closing quotation');
        token += ch;
        if (ch === state) {
          state = ' ';
          break;
        }
      } else {
        // state 'a'
        if (ch === '') {
          state = null;
          break;
        } else if (WHITESPACE.includes(ch)) {
          state = ' ';
          if (token) break;
        } else if (COMMENTERS.includes(ch)) {
          skipLine();
        } else if (KV_WORDCHARS.has(ch) || QUOTES.includes(ch)) {
          token += ch;
        } else {
          pushback.unshift(ch);
          state = ' ';
          if (token) break;
        }
      }
    }
    // Non-POSIX shlex stops at the first empty token (its eof marker is '').
    if (token === '') return tokens;
    tokens.push(token);
  }
}

/**
 * Python's str semantics where supervisor's texts and orderings depend on them: repr() of a str
 * (config errors, faults supervisorctl prints) and str ordering (sorted names). Shared by the
 * daemon and the ctl so both ends agree with supervisor and with each other.
 */

/** Python's repr() of a str, for messages that must read like supervisor's. */
export function pyRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === quote) out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += '\\x' + code.toString(16).padStart(2, '0');
    else out += ch;
  }
  return out + quote;
}

/**
 * Python 3's str ordering: by code point. JavaScript's `<` compares UTF-16 units instead, which
 * puts a character beyond the BMP (a surrogate pair, 0xD800–0xDFFF) before one in
 * U+E000–U+FFFF: `'\u{1F600}' < '\uFFFD'` in JavaScript, the reverse in Python.
 */
export function pyCompare(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; ) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x < y ? -1 : 1;
    i += x > 0xffff ? 2 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

/**
 * Python `%`-format expansion with a mapping, as supervisor applies it to config values
 * (`s % expansions` in options.expand): `%(name)s`, `%(name)d`, `%(name)02d`, `%%`, … .
 *
 * Names are strings (here, host_node_name, ENV_*, program_name, group_name) or integers
 * (process_num, numprocs). As in Python, `%(ENV_X)d` with a string value is an error, and every
 * conversion must name its key (`%s` alone needs a tuple, which a mapping is not).
 */
import { pyCompare, pyRepr } from '@tsupervisor/protocol';
import { BadValue } from './errors.js';

export type ExpansionNames = Readonly<Record<string, string | number>>;

/** Raised for a name that is not in the mapping (Python's KeyError). */
class UnknownName extends Error {}

/**
 * Expands `s` with `names`. `label` is supervisor's name for the value in messages
 * (`program:x.command`, `process_name`, `include.files`, …). Throws BadValue with supervisor's
 * wording.
 */
export function expand(s: string, names: ExpansionNames, label: string): string {
  try {
    return pyFormat(s, names);
  } catch (e) {
    if (e instanceof UnknownName) {
      const available = Object.keys(names).sort(pyCompare).join(', ');
      throw new BadValue(
        `Format string ${pyRepr(s)} for ${pyRepr(label)} contains names (${pyRepr(e.message)}) ` +
          `which cannot be expanded. Available names: ${available}`,
      );
    }
    throw new BadValue(`Format string ${pyRepr(s)} for ${pyRepr(label)} is badly formatted: ${(e as Error).message}`);
  }
}

const SPEC = /%(?:\(([^)]*)\))?([#0\- +]*)(\d+|\*)?(?:\.(\d+|\*))?[hlL]?([\s\S])?/y;

/** `s % names` for a mapping argument. Throws UnknownName or Error (Python's other errors). */
export function pyFormat(s: string, names: ExpansionNames): string {
  let out = '';
  let i = 0;
  while (i < s.length) {
    const pct = s.indexOf('%', i);
    if (pct === -1) {
      out += s.slice(i);
      break;
    }
    out += s.slice(i, pct);
    SPEC.lastIndex = pct;
    const m = SPEC.exec(s);
    if (!m) throw new Error('incomplete format');
    const [whole, name, flags, width, precision, conversion] = m;
    if (conversion === undefined) throw new Error('incomplete format');
    i = pct + whole.length;
    if (conversion === '%' && name === undefined) {
      out += '%';
      continue;
    }
    // Python formats the whole mapping there (`%s`: repr of every name, the environment's
    // included): never what was meant, and it would put the daemon's environment on a command
    // line any user can read. Refused (README: compatibility notes).
    if (name === undefined) {
      throw new Error(
        `${whole} names no expansion: supervisord would put its whole dict of expansions there (every ENV_ variable included); ` +
          `tsupervisor refuses it: write %(name)s, or %${whole} for a literal ${whole}`,
      );
    }
    if (width === '*' || precision === '*') throw new Error('* wants int');
    if (!Object.prototype.hasOwnProperty.call(names, name)) throw new UnknownName(name);
    const converted = convert(names[name], conversion, flags, precision, i - 1);
    out += pad(converted, flags, width === undefined ? 0 : Number(width), isNumeric(conversion));
  }
  return out;
}

function isNumeric(conversion: string): boolean {
  return 'diuoxXeEfFgG'.includes(conversion);
}

function convert(value: string | number, conversion: string, flags: string, precision: string | undefined, at: number): string {
  const prec = precision === undefined ? undefined : Number(precision);
  switch (conversion) {
    case 's':
    case 'r':
    case 'a': {
      const text = conversion === 's' || typeof value === 'number' ? String(value) : pyRepr(value);
      return prec === undefined ? text : text.slice(0, prec);
    }
    case '%':
      return '%';
    case 'c':
      if (typeof value === 'number') return String.fromCodePoint(value);
      if ([...value].length === 1) return value;
      throw new Error('%c requires int or char');
  }
  if (typeof value !== 'number') {
    if ('diu'.includes(conversion)) throw new Error(`%${conversion} format: a real number is required, not str`);
    if ('oxX'.includes(conversion)) throw new Error(`%${conversion} format: an integer is required, not str`);
    if ('eEfFgG'.includes(conversion)) throw new Error('must be real number, not str');
  }
  const n = value as number;
  const sign = n < 0 ? '-' : flags.includes('+') ? '+' : flags.includes(' ') ? ' ' : '';
  const abs = Math.abs(n);
  let body: string;
  switch (conversion) {
    case 'd':
    case 'i':
    case 'u':
      body = String(Math.trunc(abs));
      if (prec !== undefined) body = body.padStart(prec, '0');
      break;
    case 'o':
    case 'x':
    case 'X': {
      body = Math.trunc(abs).toString(conversion === 'o' ? 8 : 16);
      if (conversion === 'X') body = body.toUpperCase();
      if (prec !== undefined) body = body.padStart(prec, '0');
      if (flags.includes('#')) body = (conversion === 'o' ? '0o' : conversion === 'x' ? '0x' : '0X') + body;
      break;
    }
    case 'e':
    case 'E':
      body = pyExponent(abs.toExponential(prec ?? 6));
      if (conversion === 'E') body = body.toUpperCase();
      break;
    case 'f':
    case 'F':
      body = abs.toFixed(prec ?? 6);
      break;
    case 'g':
    case 'G': {
      const p = prec === 0 ? 1 : prec ?? 6;
      const exp = abs === 0 ? 0 : Math.floor(Math.log10(abs));
      body = exp < -4 || exp >= p ? pyExponent(abs.toExponential(p - 1)) : abs.toPrecision(p);
      if (!flags.includes('#') && body.includes('.')) body = body.replace(/\.?0+(?=e|$)/, '');
      if (conversion === 'G') body = body.toUpperCase();
      break;
    }
    default:
      throw new Error(
        `unsupported format character ${pyRepr(conversion)} (0x${conversion.codePointAt(0)!.toString(16)}) at index ${at}`,
      );
  }
  return sign + body;
}

/** JS writes `1e+5`; Python writes `1e+05`. */
function pyExponent(s: string): string {
  return s.replace(/e([+-])(\d)$/, 'e$10$2');
}

function pad(text: string, flags: string, width: number, numeric: boolean): string {
  if (text.length >= width) return text;
  if (flags.includes('-')) return text.padEnd(width, ' ');
  if (numeric && flags.includes('0')) {
    const signed = /^[-+ ]/.test(text) ? 1 : 0;
    const prefixed = /^[-+ ]?0[oxX]/.test(text) ? signed + 2 : signed;
    return text.slice(0, prefixed) + text.slice(prefixed).padStart(width - prefixed, '0');
  }
  return text.padStart(width, ' ');
}

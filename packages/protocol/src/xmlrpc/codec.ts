/**
 * XML-RPC on the wire: a `<methodCall>` parsed into a method name and positional values, and
 * values or a fault written as `<methodResponse>` the way Python's xmlrpc.client.dumps writes
 * them (supervisor's own responses). The client side too (a call written, a response read):
 * tsupervisorctl speaks it to supervisord 4.2.5. Shared by the daemon and the ctl, pure.
 *
 * The parser is the project's own, for the subset XML-RPC uses: elements, attributes (ignored),
 * text, the five predefined entities and character references, CDATA, comments, processing
 * instructions. A document type declaration is refused, so no entity expansion can be asked
 * for; nesting is bounded. A library (saxes, fast-xml-parser …) would bring a general parser
 * for a grammar of a dozen tags and DTD handling we would have to switch off.
 */

export type XmlRpcValue = string | number | boolean | null | XmlRpcDouble | XmlRpcDateTime | XmlRpcValue[] | { [key: string]: XmlRpcValue };

/** A value that is written as `<double>` even when it is whole (a whole `<double>` is read as one). */
export class XmlRpcDouble {
  constructor(readonly value: number) {}
}

/** A `<dateTime.iso8601>` as read (`20200101T00:00:00`): supervisor gets a datetime, not a string. */
export class XmlRpcDateTime {
  constructor(readonly text: string) {}
}

export class XmlRpcParseError extends Error {}

export interface MethodCall {
  method: string;
  params: XmlRpcValue[];
}

interface Element {
  name: string;
  children: Element[];
  text: string;
}

const MAX_DEPTH = 64;
const NAME = /[A-Za-z_:][-A-Za-z0-9_:.]*/y;
const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeEntities(raw: string, at: () => string): string {
  if (!raw.includes('&')) return raw;
  return raw.replace(/&([^;&\s]*);?/g, (whole, ref: string) => {
    if (!whole.endsWith(';')) throw new XmlRpcParseError(`${at()}: '&' not followed by an entity reference`);
    if (ref in PREDEFINED) return PREDEFINED[ref]!;
    const m = /^#(?:x([0-9a-fA-F]+)|([0-9]+))$/.exec(ref);
    if (m) {
      const code = m[1] !== undefined ? parseInt(m[1], 16) : parseInt(m[2]!, 10);
      if (code > 0 && code <= 0x10ffff) return String.fromCodePoint(code);
    }
    throw new XmlRpcParseError(`${at()}: undefined entity &${ref};`);
  });
}

/** Parses a whole document into its root element; throws XmlRpcParseError naming the line. */
export function parseXml(doc: string): Element {
  let i = doc.charCodeAt(0) === 0xfeff ? 1 : 0;
  const stack: Element[] = [];
  let root: Element | null = null;
  const lineAt = () => `line ${doc.slice(0, i).split('\n').length}`;
  const fail = (what: string): never => {
    throw new XmlRpcParseError(`${lineAt()}: ${what}`);
  };
  const skipUntil = (end: string, what: string) => {
    const j = doc.indexOf(end, i);
    if (j < 0) fail(`unterminated ${what}`);
    const body = doc.slice(i, j);
    i = j + end.length;
    return body;
  };
  while (i < doc.length) {
    const lt = doc.indexOf('<', i);
    const textEnd = lt < 0 ? doc.length : lt;
    if (textEnd > i) {
      const raw = doc.slice(i, textEnd);
      const top = stack[stack.length - 1];
      if (top) top.text += decodeEntities(raw, lineAt);
      else if (raw.trim() !== '') fail('text outside the root element');
      i = textEnd;
      continue;
    }
    if (doc.startsWith('<!--', i)) {
      i += 4;
      skipUntil('-->', 'comment');
    } else if (doc.startsWith('<![CDATA[', i)) {
      const top = stack[stack.length - 1];
      if (!top) fail('CDATA outside the root element');
      i += 9;
      top!.text += skipUntil(']]>', 'CDATA section');
    } else if (doc.startsWith('<?', i)) {
      i += 2;
      skipUntil('?>', 'processing instruction');
    } else if (doc.startsWith('<!', i)) {
      fail('document type declarations are not accepted');
    } else if (doc.startsWith('</', i)) {
      i += 2;
      NAME.lastIndex = i;
      const m = NAME.exec(doc);
      if (!m) fail('bad end tag');
      i += m![0].length;
      while (/\s/.test(doc[i] ?? '')) i++;
      if (doc[i] !== '>') fail('bad end tag');
      i++;
      const open = stack.pop();
      if (!open || open.name !== m![0]) fail(`mismatched tag </${m![0]}>`);
    } else {
      i += 1;
      NAME.lastIndex = i;
      const m = NAME.exec(doc);
      if (!m) fail('not well-formed (invalid token)');
      i += m![0].length;
      // attributes: name="value" or name='value', ignored
      for (;;) {
        const ws = /\s*/y;
        ws.lastIndex = i;
        i += ws.exec(doc)![0].length;
        if (doc[i] === '>' || doc.startsWith('/>', i)) break;
        const attr = /[A-Za-z_:][-A-Za-z0-9_:.]*\s*=\s*("[^"<]*"|'[^'<]*')/y;
        attr.lastIndex = i;
        const a = attr.exec(doc);
        if (!a) fail('not well-formed (invalid token)');
        i += a![0].length;
      }
      const element: Element = { name: m![0], children: [], text: '' };
      const parent = stack[stack.length - 1];
      if (parent) parent.children.push(element);
      else if (root) fail('junk after document element');
      else root = element;
      if (doc.startsWith('/>', i)) {
        i += 2;
      } else {
        i += 1;
        stack.push(element);
        if (stack.length > MAX_DEPTH) fail(`nesting deeper than ${MAX_DEPTH}`);
      }
    }
  }
  if (stack.length > 0) fail(`no end tag for <${stack[stack.length - 1]!.name}>`);
  if (!root) fail('no element found');
  return root!;
}

function only(e: Element, name: string): Element[] {
  return e.children.filter((c) => c.name === name);
}

function intOf(text: string): number {
  if (!/^\s*[+-]?\d+\s*$/.test(text)) throw new XmlRpcParseError(`invalid int ${JSON.stringify(text)}`);
  return parseInt(text, 10);
}

/** A `<value>` element as supervisor's loads() reads it: no type element means a string. */
export function valueOf(v: Element): XmlRpcValue {
  const typed = v.children[0];
  if (!typed) return v.text;
  const text = typed.text;
  switch (typed.name) {
    case 'int':
    case 'i4':
    case 'i8':
      return intOf(text);
    case 'boolean':
      return text.trim() === '1';
    case 'string':
      return text;
    case 'double': {
      const d = Number(text.trim());
      if (text.trim() === '' || Number.isNaN(d)) throw new XmlRpcParseError(`invalid double ${JSON.stringify(text)}`);
      // a whole double stays a float (Python prints 2.0, not 2)
      return Number.isInteger(d) ? new XmlRpcDouble(d) : d;
    }
    case 'dateTime.iso8601':
      return new XmlRpcDateTime(text.trim());
    case 'base64':
      return Buffer.from(text.replace(/\s+/g, ''), 'base64').toString('utf8');
    case 'nil':
      return null;
    case 'array': {
      const data = only(typed, 'data')[0];
      return data ? only(data, 'value').map(valueOf) : [];
    }
    case 'struct': {
      const out: Record<string, XmlRpcValue> = {};
      for (const member of only(typed, 'member')) {
        const name = only(member, 'name')[0];
        const value = only(member, 'value')[0];
        if (!value) throw new XmlRpcParseError('struct member without a value');
        out[name?.text ?? ''] = valueOf(value);
      }
      return out;
    }
    default:
      throw new XmlRpcParseError(`unknown value type <${typed.name}>`);
  }
}

/** `<methodCall>` → name and positional params. A missing or empty name is an error. */
export function parseMethodCall(doc: string): MethodCall {
  const root = parseXml(doc);
  if (root.name !== 'methodCall') throw new XmlRpcParseError(`root element is <${root.name}>, not <methodCall>`);
  const name = only(root, 'methodName')[0]?.text.trim() ?? '';
  if (!name) throw new XmlRpcParseError('no method name');
  const params = only(root, 'params')[0];
  const values = params
    ? only(params, 'param').map((p) => {
        const v = only(p, 'value')[0];
        if (!v) throw new XmlRpcParseError('param without a value');
        return valueOf(v);
      })
    : [];
  return { method: name, params: values };
}

/** xmlrpc.client's escape: only &, < and > (other characters go as they are). */
function escape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function encodeValue(v: unknown, out: string[], seen: Set<object>): void {
  if (v === null || v === undefined) {
    out.push('<value><nil/></value>');
  } else if (typeof v === 'boolean') {
    out.push(`<value><boolean>${v ? 1 : 0}</boolean></value>`);
  } else if (typeof v === 'number') {
    if (Number.isInteger(v)) out.push(`<value><int>${v}</int></value>`);
    else out.push(`<value><double>${String(v)}</double></value>`);
  } else if (v instanceof XmlRpcDouble) {
    out.push(`<value><double>${Number.isInteger(v.value) ? v.value.toFixed(1) : String(v.value)}</double></value>`);
  } else if (typeof v === 'string') {
    out.push(`<value><string>${escape(v)}</string></value>`);
  } else if (Array.isArray(v)) {
    if (seen.has(v)) throw new TypeError('cannot marshal recursive sequences');
    seen.add(v);
    out.push('<value><array><data>\n');
    for (const item of v) encodeValue(item, out, seen);
    out.push('</data></array></value>');
    seen.delete(v);
  } else if (typeof v === 'object') {
    if (seen.has(v)) throw new TypeError('cannot marshal recursive dictionaries');
    seen.add(v);
    out.push('<value><struct>\n');
    for (const [key, item] of Object.entries(v as Record<string, unknown>)) {
      if (item === undefined) continue;
      out.push(`<member>\n<name>${escape(key)}</name>\n`);
      encodeValue(item, out, seen);
      out.push('</member>\n');
    }
    out.push('</struct></value>');
    seen.delete(v);
  } else {
    throw new TypeError(`cannot marshal ${typeof v} objects`);
  }
  out.push('\n');
}

/** One result, as `xmlrpc.client.dumps((value,), methodresponse=True)`. */
export function encodeResponse(value: unknown): string {
  const out = ["<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n"];
  encodeValue(value, out, new Set());
  out.push('</param>\n</params>\n</methodResponse>\n');
  return out.join('');
}

/** A fault, as `xmlrpc.client.dumps(Fault(code, string))`. */
export function encodeFault(code: number, message: string): string {
  const out = ["<?xml version='1.0'?>\n<methodResponse>\n<fault>\n"];
  encodeValue({ faultCode: code, faultString: message }, out, new Set());
  out.push('</fault>\n</methodResponse>\n');
  return out.join('');
}

/** A call, as `xmlrpc.client.dumps(params, methodname)` writes it (what supervisorctl sends). */
export function encodeMethodCall(method: string, params: readonly unknown[]): string {
  const out = [`<?xml version='1.0'?>\n<methodCall>\n<methodName>${escape(method)}</methodName>\n<params>\n`];
  for (const param of params) {
    out.push('<param>\n');
    encodeValue(param, out, new Set());
    out.push('</param>\n');
  }
  out.push('</params>\n</methodCall>\n');
  return out.join('');
}

/** A `<methodResponse>`: its one value, or its fault's code and string. */
export type MethodResponse = { value: XmlRpcValue } | { fault: { code: number; message: string } };

export function parseMethodResponse(doc: string): MethodResponse {
  const root = parseXml(doc);
  if (root.name !== 'methodResponse') throw new XmlRpcParseError(`root element is <${root.name}>, not <methodResponse>`);
  const fault = only(root, 'fault')[0];
  if (fault) {
    const v = only(fault, 'value')[0];
    const s = v ? valueOf(v) : null;
    const struct = s !== null && typeof s === 'object' && !Array.isArray(s) && !(s instanceof XmlRpcDouble) && !(s instanceof XmlRpcDateTime) ? s : {};
    const code = struct['faultCode'];
    return { fault: { code: typeof code === 'number' ? code : 0, message: String(struct['faultString'] ?? '') } };
  }
  const value = only(only(only(root, 'params')[0] ?? root, 'param')[0] ?? root, 'value')[0];
  if (!value) throw new XmlRpcParseError('response without a value');
  return { value: valueOf(value) };
}

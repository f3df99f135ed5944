import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../src/config/errors.js';
import { parseIni, type IniDocument } from '../src/config/ini.js';

/** section → key → value, for comparing with what Python's RawConfigParser gives. */
function plain(doc: IniDocument): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const [name, s] of doc.sections) out[name] = Object.fromEntries([...s.values].map(([k, v]) => [k, v.value]));
  return out;
}

const parse = (text: string) => plain(parseIni(text, '/etc/x.conf'));

// Expected values below were produced by Python 3.11's
// RawConfigParser(inline_comment_prefixes=(';', '#'), strict=False) on the same text.

test('continuation lines join with \\n (config-parsing.md row 1)', () => {
  assert.deepEqual(parse('[a]\nenvironment=A="1",\n    B="2"\n'), { a: { environment: 'A="1",\nB="2"' } });
  assert.deepEqual(parse('[a]\nx=\n  one\n  two\n'), { a: { x: '\none\ntwo' } });
  assert.deepEqual(parse('[a]\nx=1\n\ty\n'), { a: { x: '1\ny' } });
});

test('# or ; without whitespace before it is kept (row 2)', () => {
  assert.deepEqual(parse('[a]\nurl=http://x/#frag\n'), { a: { url: 'http://x/#frag' } });
  assert.deepEqual(parse('[a]\nk=v;notcomment\nk2=v #c\n'), { a: { k: 'v;notcomment', k2: 'v' } });
});

test('inline comments after whitespace are dropped (row 3)', () => {
  assert.deepEqual(parse('[a]\ncommand=/bin/cat ; comment\n'), { a: { command: '/bin/cat' } });
  assert.deepEqual(parse('[a]\nx=1   \n'), { a: { x: '1' } });
});

test('a repeated section is merged, later keys win (row 4)', () => {
  assert.deepEqual(parse('[a]\nx=1\n[b]\ny=2\n[a]\nx=3\nz=4\n'), { a: { x: '3', z: '4' }, b: { y: '2' } });
  const doc = parseIni('[a]\nx=1\n[b]\ny=2\n[a]\nx=3\n', '/etc/x.conf');
  assert.deepEqual([...doc.sections.keys()], ['a', 'b']);
  assert.equal(doc.sections.get('a')!.line, 1);
  assert.equal(doc.sections.get('a')!.values.get('x')!.line, 6);
});

test('every value keeps its file and line (row 5)', () => {
  const doc = parseIni('; comment\n[program:web]\ncommand = /bin/cat\nenvironment=\n  A=1\nstartsecs: 5\n', '/etc/s.conf');
  const s = doc.sections.get('program:web')!;
  assert.deepEqual({ file: s.file, line: s.line }, { file: '/etc/s.conf', line: 2 });
  assert.deepEqual(s.values.get('command'), { value: '/bin/cat', file: '/etc/s.conf', line: 3 });
  assert.deepEqual(s.values.get('environment'), { value: '\nA=1', file: '/etc/s.conf', line: 4 });
  assert.deepEqual(s.values.get('startsecs'), { value: '5', file: '/etc/s.conf', line: 6 });
});

test('blank lines inside a value are kept, trailing ones dropped; comment lines are skipped', () => {
  assert.deepEqual(parse('[a]\nx = 1\n\n  y\n\nz=2\n'), { a: { x: '1\n\ny', z: '2' } });
  assert.deepEqual(parse('[a]\nx=1\n  ; comment\n  y\n'), { a: { x: '1\ny' } });
});

test('keys are lower-cased, split at the first = or :', () => {
  assert.deepEqual(parse('[a]\nKey: Value: more\n'), { a: { key: 'Value: more' } });
  assert.deepEqual(parse('[a]\nCommand = a=b\n'), { a: { command: 'a=b' } });
});

test('header details: trailing text ignored, indented keys, CRLF, leading comments', () => {
  assert.deepEqual(parse('[a] trailing\nx=1\n'), { a: { x: '1' } });
  assert.deepEqual(parse('[a]\n  x=1\n  y=2\n'), { a: { x: '1', y: '2' } });
  assert.deepEqual(parse('; c\n# c\n[a]\nx=1\r\ny=2\r\n'), { a: { x: '1', y: '2' } });
  // An indented header right after a key is a continuation line, as in Python.
  assert.deepEqual(parse('[a]\nx=1\n    [b]\n'), { a: { x: '1\n[b]' } });
});

test('[DEFAULT] holds fallbacks, not a section', () => {
  const doc = parseIni('[DEFAULT]\nd=1\n[a]\nx=2\n', '/etc/x.conf');
  assert.deepEqual(plain(doc), { a: { x: '2' } });
  assert.equal(doc.defaults.get('d')!.value, '1');
});

test('several files merge into one document', () => {
  const doc = parseIni('[a]\nx=1\n', '/etc/one.conf');
  parseIni('[a]\ny=2\n[b]\nz=3\n', '/etc/two.conf', doc);
  assert.deepEqual(plain(doc), { a: { x: '1', y: '2' }, b: { z: '3' } });
  assert.equal(doc.sections.get('a')!.file, '/etc/one.conf');
  assert.equal(doc.sections.get('a')!.values.get('y')!.file, '/etc/two.conf');
  assert.equal(doc.sections.get('b')!.file, '/etc/two.conf');
});

test('text before any section header: "File contains no section headers" with file:line', () => {
  assert.throws(
    () => parseIni('; fine\n\nfoo=bar\n[supervisord]\n', '/etc/x.conf'),
    (e: unknown) =>
      e instanceof ConfigError &&
      e.toString() === 'Error: /etc/x.conf:3: File contains no section headers: "foo=bar"' &&
      e.line === 3,
  );
});

test('a UTF-8 byte order mark at the start: refused as supervisord refuses it, and the message names it', () => {
  assert.throws(
    () => parseIni('\uFEFF[supervisord]\nlogfile=x\n', '/etc/x.conf'),
    (e: unknown) =>
      e instanceof ConfigError &&
      e.line === 1 &&
      e.toString() ===
        'Error: /etc/x.conf:1: File contains no section headers: the file starts with a UTF-8 byte order mark (U+FEFF), which supervisord does not accept either; save it without one',
  );
});

test('a line that is neither header, option nor comment is an error with its line', () => {
  assert.throws(
    () => parseIni('[supervisord]\nlogfile=x\nthis is junk\n', '/etc/x.conf'),
    (e: unknown) =>
      e instanceof ConfigError &&
      e.line === 3 &&
      e.section === 'supervisord' &&
      /^Error: \/etc\/x\.conf:3: \[supervisord\]: Source contains parsing errors: .*"this is junk"$/.test(e.toString()),
  );
  assert.throws(() => parseIni('[a]\n=value\n', '/etc/x.conf'), ConfigError);
});

/** The supervisor-compatible pieces both ends share: str ordering and repr, signals, namespecs, descriptions. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  PythonError, describeProcess, makeNamespec, parseSignal, pyCompare, pyRepr, signalNameOf, signalNumberOf, splitNamespec,
} from '../src/index.js';

describe('pyCompare: Python 3 str ordering, by code point', () => {
  const emoji = '\u{1F600}'; // U+1F600, a surrogate pair in UTF-16
  const replacement = '\uFFFD'; // U+FFFD, one UTF-16 unit above the surrogates

  test('a character beyond the BMP sorts after U+FFFD, as in Python (JavaScript < says before)', () => {
    // python3 -c "print(sorted(['\U0001F600', '\uFFFD']))" → ['\ufffd', '😀']
    assert.ok(emoji < replacement, 'UTF-16 unit order (what the daemon used) puts the emoji first');
    assert.equal(pyCompare(emoji, replacement), 1);
    assert.equal(pyCompare(replacement, emoji), -1);
    assert.deepEqual([`a${emoji}`, `a${replacement}`, 'a'].sort(pyCompare), ['a', `a${replacement}`, `a${emoji}`]);
  });

  test('equal strings, prefixes and plain ASCII', () => {
    assert.equal(pyCompare('', ''), 0);
    assert.equal(pyCompare(`x${emoji}`, `x${emoji}`), 0);
    assert.equal(pyCompare('ab', 'abc'), -1);
    assert.equal(pyCompare('b', 'abc'), 1);
    assert.equal(pyCompare(emoji, `${emoji}a`), -1);
    assert.deepEqual(['b', 'B', 'a', '_', '1'].sort(pyCompare), ['1', 'B', '_', 'a', 'b']);
  });
});

test('pyRepr quotes and escapes as Python', () => {
  assert.equal(pyRepr('a'), "'a'");
  assert.equal(pyRepr("it's"), '"it\'s"');
  assert.equal(pyRepr('both \' and "'), "'both \\' and \"'");
  assert.equal(pyRepr('a\nb\\\t\x01\x7f'), "'a\\nb\\\\\\t\\x01\\x7f'");
});

describe('signals: datatypes.signal_number', () => {
  test('numbers as int() reads them, names with or without SIG in any case', () => {
    for (const v of ['15', ' 15 ', '+15', '1_5', 15, 'TERM', 'sigterm', ' term ']) assert.deepEqual(parseSignal(v), { num: 15 }, String(v));
    assert.deepEqual(parseSignal('RTMIN'), { num: 34 });
    assert.deepEqual(parseSignal('iot'), { num: 6 });
    // SIG_DFL's value is in SIGNUMS: supervisor accepts 0 (and '_DFL')
    assert.deepEqual(parseSignal('0'), { num: 0 });
    assert.deepEqual(parseSignal('_DFL'), { num: 0 });
  });
  test('refusals say which check failed', () => {
    assert.deepEqual(parseSignal('FOO'), { refused: 'name' });
    assert.deepEqual(parseSignal('1__5'), { refused: 'name' });
    assert.deepEqual(parseSignal('99'), { refused: 'number' });
    assert.deepEqual(parseSignal(-1), { refused: 'number' });
  });
  test('canonical names and numbers', () => {
    assert.equal(signalNameOf(6), 'ABRT');
    assert.equal(signalNameOf(17), 'CHLD');
    assert.equal(signalNameOf(0), undefined);
    assert.equal(signalNumberOf('SIGRTMIN'), 34);
    assert.equal(signalNumberOf('term'), 15);
    assert.equal(signalNumberOf('_DFL'), undefined);
  });
});

test('namespecs: split_namespec and make_namespec', () => {
  assert.deepEqual(splitNamespec('g:p'), ['g', 'p']);
  assert.deepEqual(splitNamespec('g:*'), ['g', null]);
  assert.deepEqual(splitNamespec('g:'), ['g', null]);
  assert.deepEqual(splitNamespec('a'), ['a', 'a']);
  assert.deepEqual(splitNamespec('g:p:q'), ['g', 'p:q']);
  assert.equal(makeNamespec('a', 'a'), 'a');
  assert.equal(makeNamespec('g', 'p'), 'g:p');
  assert.equal(makeNamespec('g', null), 'g:None');
});

test('describeProcess: the daemon passes no clock, the ctl its own', () => {
  const info = { name: 'a', statename: 'RUNNING' as const, pid: 5, start: 100, stop: 0, now: 165, spawnerr: '' };
  assert.equal(describeProcess(info), 'pid 5, uptime 0:01:05');
  assert.equal(describeProcess(info, 100 + 86400 + 7), 'pid 5, uptime 1 day, 0:00:07');
  assert.equal(describeProcess({ ...info, statename: 'EXITED', start: 0 }), 'Not started');
});

test('PythonError renders as supervisorctl prints an exception', () => {
  const err = new PythonError('ValueError', 'bad', '/x.py', 3);
  assert.equal(err.message, 'bad');
  assert.equal(err.render(), "error: <class 'ValueError'>, bad: file: /x.py line: 3");
});

/** The listener protocol reducer, the pool buffer, ticks and capture mode: pure logic. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CommScanner, prefixAtEnd } from '../src/events/comm-capture.js';
import { EventBuffer } from '../src/events/event-buffer.js';
import { feed, initialProtocol, MAX_RESULT_LINE, sent, type ProtocolOutcome, type ProtocolState } from '../src/events/listener-protocol.js';
import { dueTicks, initialSlices, msToNextBoundary, Ticker, timeslice } from '../src/events/ticks.js';

function run(chunks: string[], start: ProtocolState = initialProtocol) {
  let s = start;
  const outcomes: ProtocolOutcome[] = [];
  for (const c of chunks) {
    const r = feed(s, Buffer.from(c));
    s = r.state;
    outcomes.push(...r.outcomes);
  }
  return { state: s, outcomes };
}

const busy = () => sent(run(['READY\n']).state).state;

test('READY, even in pieces, makes an ACKNOWLEDGED listener READY', () => {
  assert.equal(run(['REA']).state.state, 'ACKNOWLEDGED');
  const r = run(['REA', 'DY', '\n']);
  assert.equal(r.state.state, 'READY');
  assert.deepEqual(r.outcomes, [{ type: 'change', from: 'ACKNOWLEDGED', to: 'READY' }]);
});

test('the pool sending an event makes it BUSY', () => {
  assert.equal(busy().state, 'BUSY');
});

test('RESULT 2\\nOK acknowledges; READY in the same write makes it READY again', () => {
  const r = run(['RESULT 2\nOKREADY\n'], busy());
  assert.equal(r.state.state, 'READY');
  assert.deepEqual(r.outcomes, [
    { type: 'result', ok: true, body: Buffer.from('OK') },
    { type: 'change', from: 'BUSY', to: 'ACKNOWLEDGED' },
    { type: 'change', from: 'ACKNOWLEDGED', to: 'READY' },
  ]);
});

test('a result split anywhere is still one result', () => {
  const r = run(['RES', 'ULT 4', '\nFA', 'IL'], busy());
  assert.equal(r.state.state, 'ACKNOWLEDGED');
  assert.deepEqual(r.outcomes.filter((o) => o.type === 'result'), [{ type: 'result', ok: false, body: Buffer.from('FAIL') }]);
});

test('anything but OK is a rejection (default_handler)', () => {
  const r = run(['RESULT 3\nOK!'], busy());
  assert.deepEqual(r.outcomes[0], { type: 'result', ok: false, body: Buffer.from('OK!') });
});

test('a RESULT line without a length is a bad result: UNKNOWN for good', () => {
  const r = run(['RESULT x\nREADY\n'], busy());
  assert.equal(r.state.state, 'UNKNOWN');
  assert.deepEqual(r.outcomes, [
    { type: 'badResult', line: 'RESULT x' },
    { type: 'change', from: 'BUSY', to: 'UNKNOWN' },
  ]);
  assert.equal(run(['READY\n'], r.state).state.state, 'UNKNOWN');
});

test('garbage instead of READY, or output while READY, is UNKNOWN', () => {
  assert.equal(run(['hello world\n']).state.state, 'UNKNOWN');
  assert.equal(run(['READY\nx']).state.state, 'UNKNOWN');
});

test('Python int() lengths: spaces and underscores', () => {
  assert.equal(run(['RESULT  1_0 \n0123456789'], busy()).state.state, 'ACKNOWLEDGED');
});

test('a RESULT line past MAX_RESULT_LINE without a newline: dropped once, UNKNOWN; nothing more is kept', () => {
  let s = busy();
  const outcomes: ProtocolOutcome[] = [];
  const chunk = Buffer.alloc(1000, 0x78);
  s = feed(s, Buffer.from('RESULT ')).state;
  for (let i = 0; i < 5000; i++) {
    const r = feed(s, chunk);
    s = r.state;
    outcomes.push(...r.outcomes);
    assert.ok(s.pending.length <= MAX_RESULT_LINE, `${s.pending.length} bytes kept`);
  }
  assert.deepEqual(outcomes, [
    { type: 'overlongResult', bytes: 'RESULT '.length + 5000 },
    { type: 'change', from: 'BUSY', to: 'UNKNOWN' },
  ]);
  assert.equal(s.pending.length, 0);
});

test('a RESULT line of exactly MAX_RESULT_LINE bytes is still read', () => {
  const line = 'RESULT 2' + ' '.repeat(MAX_RESULT_LINE - 'RESULT 2'.length);
  assert.equal(run([line.slice(0, 100), line.slice(100), '\nOK'], busy()).state.state, 'ACKNOWLEDGED');
  assert.equal(run([line + ' \nOK'], busy()).outcomes[0]?.type, 'overlongResult');
});

test('a 5 MB result body is counted, not kept: rejected, then READY', () => {
  let s = feed(busy(), Buffer.from('RESULT 5000000\n')).state;
  const outcomes: ProtocolOutcome[] = [];
  const chunk = Buffer.alloc(50_000, 0x4f);
  for (let i = 0; i < 100; i++) {
    const r = feed(s, i === 99 ? Buffer.concat([chunk, Buffer.from('READY\n')]) : chunk);
    s = r.state;
    outcomes.push(...r.outcomes);
    assert.ok(s.result.length <= 64 && s.pending.length === 0);
  }
  assert.equal(s.state, 'READY');
  assert.deepEqual(outcomes.map((o) => (o.type === 'result' ? `result ${o.ok} ${o.body.length}` : o.type)), ['result false 64', 'change', 'change']);
});

test('the buffer drops the oldest when full; a rejected event goes back first', () => {
  const b = new EventBuffer<number>(2);
  assert.deepEqual(b.accept(1), []);
  assert.deepEqual(b.accept(2), []);
  assert.deepEqual(b.accept(3), [1]);
  assert.deepEqual(b.toArray(), [2, 3]);
  b.shift();
  b.accept(2, true);
  assert.deepEqual(b.toArray(), [2, 3]);
  assert.deepEqual(b.accept(9, true), [2]);
  assert.deepEqual(b.toArray(), [9, 3]);
  b.size = 1;
  assert.deepEqual(b.accept(4), [9, 3]);
});

test('ticks: timeslices and the boundaries crossed', () => {
  assert.equal(timeslice(5, 1795710883.7), 1795710880);
  assert.equal(timeslice(60, 1795710883.7), 1795710840);
  assert.equal(timeslice(3600, 1795710883.7), 1795708800);
  assert.deepEqual(dueTicks(initialSlices(1795710878.5), 1795710880.01).ticks, [{ period: 5, when: 1795710880 }]);
  const start = initialSlices(1795710838.5);
  assert.deepEqual(dueTicks(start, 1795710839.9).ticks, []);
  assert.deepEqual(dueTicks(start, 1795710840.01).ticks, [
    { period: 5, when: 1795710840 },
    { period: 60, when: 1795710840 },
  ]);
  assert.deepEqual(dueTicks(initialSlices(1795708799), 1795708800).ticks.map((t) => t.period), [5, 60, 3600]);
  assert.equal(msToNextBoundary(1795710878_500), 1505);
});

test('the ticker fires at the boundary with a fake clock', () => {
  let now = 1795710838_500;
  const timers: Array<{ fn: () => void; at: number }> = [];
  const fired: Array<[number, number]> = [];
  const ticker = new Ticker(
    {
      now: () => now,
      setTimer: (fn, ms) => {
        timers.push({ fn, at: now + ms });
        return { unref() {} } as NodeJS.Timeout;
      },
      clearTimer: () => {},
    },
    (period, when) => fired.push([period, when]),
  );
  ticker.start();
  const t = timers.shift()!;
  now = t.at;
  t.fn();
  assert.deepEqual(fired, [
    [5, 1795710840],
    [60, 1795710840],
  ]);
  const u = timers.shift()!;
  now = u.at;
  u.fn();
  assert.deepEqual(fired.at(-1), [5, 1795710845]);
  assert.equal(fired.length, 3);
});

const BEGIN = '<!--XSUPERVISOR:BEGIN-->';
const END = '<!--XSUPERVISOR:END-->';

function scan(chunks: string[], maxbytes = 100) {
  const s = new CommScanner(maxbytes);
  const parts = chunks.flatMap((c) => s.feed(Buffer.from(c))).concat(s.end());
  return parts.map((p) => `${p.kind}:${p.data.toString()}`);
}

test('capture mode: the section between the tokens becomes one event, the rest is logged', () => {
  assert.deepEqual(scan([`before${BEGIN}hello${END}after`]), ['log:before', 'comm:hello', 'log:after']);
  assert.deepEqual(scan(['plain output\n']), ['log:plain output\n']);
});

test('capture mode: tokens split across reads', () => {
  const text = `a${BEGIN}x y${END}b`;
  for (let i = 1; i < text.length; i++) {
    const got = scan([text.slice(0, i), text.slice(i)]);
    assert.equal(got.filter((p) => p.startsWith('log:')).map((p) => p.slice(4)).join(''), 'ab', `split at ${i}`);
    assert.deepEqual(got.filter((p) => p.startsWith('comm:')), ['comm:x y'], `split at ${i}`);
  }
});

test('capture mode: bounded like BoundIO, unfinished capture dropped at the end', () => {
  assert.deepEqual(scan([BEGIN, 'abcdef', 'ghij', END], 8), ['comm:efghij']);
  assert.deepEqual(scan([`x${BEGIN}never ends`]), ['log:x']);
  assert.deepEqual(scan(['<!--XSUP']), ['log:<!--XSUP']);
  assert.equal(prefixAtEnd(Buffer.from('abc<!--X'), Buffer.from(BEGIN)), 5);
});

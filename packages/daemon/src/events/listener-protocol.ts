/**
 * The event listener protocol as a listener speaks it on its stdout, as a pure reducer
 * (supervisor's PEventListenerDispatcher.handle_listener_state_change):
 *
 *   ACKNOWLEDGED --`READY\n`--> READY --(the pool sends an event)--> BUSY
 *   BUSY --`RESULT <len>\n<body>`--> ACKNOWLEDGED (body OK: processed; otherwise rejected)
 *   anything else: UNKNOWN, for good (until the process is spawned again).
 *
 * Linear and bounded, whatever the listener writes: each chunk is looked at once, from where the
 * last one ended (never concatenated to what came before and rescanned), and what is kept is
 * small. A RESULT line is kept until its newline but only up to MAX_RESULT_LINE bytes: past that
 * it is protocol garbage (supervisor would buffer it without end and, once the newline came,
 * find no length in it: a bad result line); the line is dropped, the listener goes UNKNOWN and
 * its event is rejected, as supervisor does with a bad result line. Of a result body only its
 * first BODY_KEPT bytes are kept: whether it is `OK` is all that matters. What is kept is copied:
 * `feed` never holds on to the chunk it is given (the daemon's pipe buffers are reused).
 */

export type ListenerStateName = 'READY' | 'BUSY' | 'ACKNOWLEDGED' | 'UNKNOWN';

/** The longest RESULT line (without its newline) a listener may write. */
export const MAX_RESULT_LINE = 4096;
/** How much of a result body is kept. */
const BODY_KEPT = 64;

export interface ProtocolState {
  state: ListenerStateName;
  /**
   * Bytes read but not yet understood: ACKNOWLEDGED, the start of a READY token; BUSY, the
   * RESULT line so far (no newline in it, at most MAX_RESULT_LINE bytes).
   */
  pending: Buffer;
  /** The announced result length once the RESULT line is read. */
  resultLength: number | null;
  /** How many bytes of the result body were read. */
  received: number;
  /** The first BODY_KEPT bytes of the result body. */
  result: Buffer;
}

export type ProtocolOutcome =
  | { type: 'change'; from: ListenerStateName; to: ListenerStateName }
  /** A complete result; `ok` as supervisor's default_handler decides (body exactly `OK`). */
  | { type: 'result'; ok: boolean; body: Buffer }
  /** The RESULT line had no length: the event in flight is rejected. */
  | { type: 'badResult'; line: string }
  /** The RESULT line went past MAX_RESULT_LINE (`bytes` read so far): dropped, the event rejected. */
  | { type: 'overlongResult'; bytes: number };

export const READY_TOKEN = Buffer.from('READY\n');
const RESULT_PREFIX_LENGTH = 'RESULT '.length;
const EMPTY = Buffer.alloc(0);
const OK = Buffer.from('OK');

export const initialProtocol: ProtocolState = {
  state: 'ACKNOWLEDGED',
  pending: EMPTY,
  resultLength: null,
  received: 0,
  result: EMPTY,
};

/** The pool wrote an event to a READY listener. */
export function sent(s: ProtocolState): { state: ProtocolState; outcomes: ProtocolOutcome[] } {
  return { state: { ...s, state: 'BUSY' }, outcomes: [{ type: 'change', from: s.state, to: 'BUSY' }] };
}

/** Bytes the listener wrote to its stdout. */
export function feed(prev: ProtocolState, data: Buffer): { state: ProtocolState; outcomes: ProtocolOutcome[] } {
  const s: ProtocolState = { ...prev };
  const outcomes: ProtocolOutcome[] = [];
  let at = 0;
  const change = (to: ListenerStateName) => {
    outcomes.push({ type: 'change', from: s.state, to });
    s.state = to;
  };
  const unknown = () => {
    change('UNKNOWN');
    Object.assign(s, { pending: EMPTY, resultLength: null, received: 0, result: EMPTY });
    at = data.length;
  };

  while (at < data.length) {
    if (s.state === 'UNKNOWN') {
      at = data.length;
    } else if (s.state === 'ACKNOWLEDGED') {
      const piece = data.subarray(at, at + READY_TOKEN.length - s.pending.length);
      at += piece.length;
      s.pending = Buffer.concat([s.pending, piece]);
      if (s.pending.length < READY_TOKEN.length) break;
      if (!s.pending.equals(READY_TOKEN)) {
        unknown();
      } else {
        s.pending = EMPTY;
        change('READY');
      }
    } else if (s.state === 'READY') {
      // spurious output while waiting for an event: supervisor is strict about it
      unknown();
    } else if (s.resultLength === null) {
      const eol = data.indexOf(0x0a, at);
      const end = eol < 0 ? data.length : eol;
      if (s.pending.length + end - at > MAX_RESULT_LINE) {
        outcomes.push({ type: 'overlongResult', bytes: s.pending.length + end - at });
        unknown();
        break;
      }
      s.pending = Buffer.concat([s.pending, data.subarray(at, end)]);
      at = end + 1;
      if (eol < 0) break;
      const resultLine = s.pending;
      s.pending = EMPTY;
      const length = parseLength(resultLine.subarray(RESULT_PREFIX_LENGTH).toString('latin1'));
      if (length === null) {
        outcomes.push({ type: 'badResult', line: resultLine.toString('utf8') });
        unknown();
      } else {
        s.resultLength = length;
        completeIfDone();
      }
    } else {
      const take = Math.min(s.resultLength - s.received, data.length - at);
      if (s.result.length < BODY_KEPT) {
        s.result = Buffer.concat([s.result, data.subarray(at, at + Math.min(take, BODY_KEPT - s.result.length))]);
      }
      s.received += take;
      at += take;
      completeIfDone();
    }
  }
  return { state: s, outcomes };

  function completeIfDone(): void {
    if (s.resultLength === null || s.received < s.resultLength) return;
    const body = s.result;
    const ok = s.received === OK.length && body.equals(OK);
    Object.assign(s, { resultLength: null, received: 0, result: EMPTY });
    outcomes.push({ type: 'result', ok, body });
    change('ACKNOWLEDGED');
  }
}

/** Python's int() on the length: optional whitespace and sign, digits (underscores between). */
function parseLength(text: string): number | null {
  const m = /^\s*\+?(\d+(?:_\d+)*)\s*$/.exec(text);
  return m ? Number(m[1]!.replace(/_/g, '')) : null;
}

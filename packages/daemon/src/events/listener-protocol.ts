/**
 * The event listener protocol as a listener speaks it on its stdout, as a pure reducer
 * (supervisor's PEventListenerDispatcher.handle_listener_state_change):
 *
 *   ACKNOWLEDGED --`READY\n`--> READY --(the pool sends an event)--> BUSY
 *   BUSY --`RESULT <len>\n<body>`--> ACKNOWLEDGED (body OK: processed; otherwise rejected)
 *   anything else: UNKNOWN, for good (until the process is spawned again).
 */

export type ListenerStateName = 'READY' | 'BUSY' | 'ACKNOWLEDGED' | 'UNKNOWN';

export interface ProtocolState {
  state: ListenerStateName;
  /** Bytes read but not yet understood. */
  pending: Buffer;
  /** The announced result length once the RESULT line is read. */
  resultLength: number | null;
  result: Buffer;
}

export type ProtocolOutcome =
  | { type: 'change'; from: ListenerStateName; to: ListenerStateName }
  /** A complete result; `ok` as supervisor's default_handler decides (body exactly `OK`). */
  | { type: 'result'; ok: boolean; body: Buffer }
  /** The RESULT line had no length: the event in flight is rejected. */
  | { type: 'badResult'; line: string };

export const READY_TOKEN = Buffer.from('READY\n');
const RESULT_PREFIX_LENGTH = 'RESULT '.length;

export const initialProtocol: ProtocolState = {
  state: 'ACKNOWLEDGED',
  pending: Buffer.alloc(0),
  resultLength: null,
  result: Buffer.alloc(0),
};

/** The pool wrote an event to a READY listener. */
export function sent(s: ProtocolState): { state: ProtocolState; outcomes: ProtocolOutcome[] } {
  return { state: { ...s, state: 'BUSY' }, outcomes: [{ type: 'change', from: s.state, to: 'BUSY' }] };
}

/** Bytes the listener wrote to its stdout. */
export function feed(prev: ProtocolState, data: Buffer): { state: ProtocolState; outcomes: ProtocolOutcome[] } {
  const s: ProtocolState = { ...prev, pending: Buffer.concat([prev.pending, data]) };
  const outcomes: ProtocolOutcome[] = [];
  const change = (to: ListenerStateName) => {
    outcomes.push({ type: 'change', from: s.state, to });
    s.state = to;
  };
  const unknown = () => {
    change('UNKNOWN');
    s.pending = Buffer.alloc(0);
    s.resultLength = null;
    s.result = Buffer.alloc(0);
  };

  while (s.pending.length > 0) {
    if (s.state === 'UNKNOWN') {
      s.pending = Buffer.alloc(0);
    } else if (s.state === 'ACKNOWLEDGED') {
      if (s.pending.length < READY_TOKEN.length) break;
      if (s.pending.subarray(0, READY_TOKEN.length).equals(READY_TOKEN)) {
        change('READY');
        s.pending = s.pending.subarray(READY_TOKEN.length);
      } else {
        unknown();
      }
    } else if (s.state === 'READY') {
      // spurious output while waiting for an event: supervisor is strict about it
      unknown();
    } else if (s.resultLength === null) {
      const eol = s.pending.indexOf(0x0a);
      if (eol < 0) break;
      const resultLine = s.pending.subarray(0, eol);
      s.pending = s.pending.subarray(eol + 1);
      const length = parseLength(resultLine.subarray(RESULT_PREFIX_LENGTH).toString('latin1'));
      if (length === null) {
        outcomes.push({ type: 'badResult', line: resultLine.toString('utf8') });
        unknown();
      } else {
        s.resultLength = length;
        completeIfDone();
      }
    } else {
      const needed = s.resultLength - s.result.length;
      s.result = Buffer.concat([s.result, s.pending.subarray(0, needed)]);
      s.pending = s.pending.subarray(needed);
      completeIfDone();
    }
  }
  return { state: s, outcomes };

  function completeIfDone(): void {
    if (s.resultLength === null || s.result.length < s.resultLength) return;
    const body = s.result;
    s.resultLength = null;
    s.result = Buffer.alloc(0);
    outcomes.push({ type: 'result', ok: body.equals(OK), body });
    change('ACKNOWLEDGED');
  }
}

const OK = Buffer.from('OK');

/** Python's int() on the length: optional whitespace and sign, digits (underscores between). */
function parseLength(text: string): number | null {
  const m = /^\s*\+?(\d+(?:_\d+)*)\s*$/.exec(text);
  return m ? Number(m[1]!.replace(/_/g, '')) : null;
}

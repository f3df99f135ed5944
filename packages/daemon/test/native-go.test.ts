// A ready signal's native reader letting an armed dependent's gate go itself (notifyGoOnReady,
// pipeGoOnNewline; process/armed-spawn.ts goWith): it fires exactly when the daemon's JS reads
// the signal as ready, for the registered sender only, before the JS hears of it; a cancel says
// whether it fired; a disabled or closed one never fires and lets go of its copy of the fd.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import {
  closeFd,
  dgramSend,
  dgramSocket,
  makePipe,
  notifyClose,
  notifyGoCancel,
  notifyGoDisable,
  notifyGoOnReady,
  notifyOpen,
  pipeClose,
  pipeGoCancel,
  pipeGoOnNewline,
  pipeOpen,
  pipeStart,
  UV_EOF,
} from '../src/native/index.js';
import { parseNotify } from '../src/readiness/notify-message.js';

/** A gate pipe whose read end is watched: the bytes it got, and whether every write end is closed. */
function gate() {
  const p = makePipe();
  const seen = { bytes: 0, eof: false };
  let wake: (() => void) | null = null;
  const reader = pipeOpen(
    p.read,
    {
      pipeRead(n: number): boolean {
        if (n > 0) seen.bytes += n;
        else seen.eof = n === UV_EOF;
        wake?.();
        return n > 0;
      },
    },
    Buffer.alloc(16),
  );
  pipeStart(reader);
  return {
    write: p.write,
    seen,
    /** Resolves at the next change (or after `ms`). */
    change: (ms = 2000) => new Promise<void>((resolve) => {
      const t = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(t);
        wake = null;
        resolve();
      };
    }),
    close: () => pipeClose(reader),
  };
}

// the notify socket and the pipe readers never keep the loop alive (as in the daemon)
const alive = <T>(body: () => Promise<T>) => async () => {
  const timer = setInterval(() => {}, 1000);
  try {
    return await body();
  } finally {
    clearInterval(timer);
  }
};

test('notify: one byte at a READY=1 from the registered pid, as parseNotify reads it, before onMessage', alive(async () => {
  const name = `tsv-go-test-${randomBytes(6).toString('hex')}`;
  const heard: Array<{ data: string; bytesThen: number }> = [];
  let onHeard: (() => void) | null = null;
  const g = gate();
  const socket = notifyOpen(name, (_pid, _uid, data) => {
    heard.push({ data: data?.toString('latin1') ?? '', bytesThen: g.seen.bytes });
    onHeard?.();
  });
  const out = dgramSocket();
  const send = async (data: Buffer) => {
    const got = new Promise<void>((resolve) => (onHeard = resolve));
    assert.equal(dgramSend(out, `@${name}`, data), null);
    await got;
  };
  try {
    const other = notifyGoOnReady(socket, process.pid + 1, g.write);
    const ours = notifyGoOnReady(socket, process.pid, g.write);
    closeFd(g.write); // the socket keeps copies
    const notReady = ['READY=1\nREADY=0', 'STATUS=READY=1', 'READY=1\r', 'READY=10', 'WATCHDOG=1'];
    for (const text of [...notReady, 'READY=1\xff']) {
      await send(Buffer.from(text, 'latin1'));
      assert.equal(parseNotify(Buffer.from(text, 'latin1'))?.ready ?? false, false, text);
    }
    assert.equal(g.seen.bytes, 0, 'nothing JS would not read as READY=1 fires it');
    const ready = 'STATUS=up\nREADY=1\n';
    assert.equal(parseNotify(Buffer.from(ready))?.ready, true);
    await send(Buffer.from(ready));
    assert.equal(heard.at(-1)!.bytesThen, 0, 'the JS callback runs before the gate reader, in the same turn');
    await g.change();
    assert.equal(g.seen.bytes, 1, 'one byte, for our pid only (not the other registration)');
    assert.equal(notifyGoCancel(socket, ours), true, 'ours fired');
    assert.equal(notifyGoCancel(socket, ours), false, 'forgotten');
    await send(Buffer.from('READY=1'));
    assert.equal(g.seen.bytes, 1, 'fires once');
    assert.equal(g.seen.eof, false, 'the other registration still holds its copy');
    assert.equal(notifyGoCancel(socket, other), false, 'the other never fired');
    await g.change();
    assert.equal(g.seen.eof, true, 'its copy closed at the cancel: every write end is gone');

    // disabled (the probe stopped): never fires, and its copy goes at once
    const g2 = gate();
    const disabled = notifyGoOnReady(socket, process.pid, g2.write);
    closeFd(g2.write);
    notifyGoDisable(socket, process.pid);
    await g2.change();
    assert.equal(g2.seen.eof, true, 'disabled: the copy is closed');
    await send(Buffer.from('READY=1'));
    assert.equal(g2.seen.bytes, 0);
    assert.equal(notifyGoCancel(socket, disabled), false);
    g2.close();
  } finally {
    closeFd(out);
    notifyClose(socket);
    g.close();
  }
}));

test('pipe: one byte at the first read holding a newline, before the owner hears of it; closed unfired: never', alive(async () => {
  const p = makePipe();
  const g = gate();
  const reads: Array<{ n: number; bytesThen: number }> = [];
  let onRead: (() => void) | null = null;
  const reader = pipeOpen(
    p.read,
    {
      pipeRead(n: number): boolean {
        reads.push({ n, bytesThen: g.seen.bytes });
        onRead?.();
        return true;
      },
    },
    Buffer.alloc(64),
  );
  pipeStart(reader);
  const write = async (text: string) => {
    const got = new Promise<void>((resolve) => (onRead = resolve));
    fs.writeSync(p.write, text);
    await got;
  };
  try {
    pipeGoOnNewline(reader, g.write);
    closeFd(g.write);
    await write('no newline yet');
    assert.equal(g.seen.bytes, 0);
    await write('ready\n');
    assert.equal(reads.at(-1)!.bytesThen, 0, 'the owner runs before the gate reader, in the same turn');
    await g.change();
    assert.equal(g.seen.bytes, 1);
    assert.equal(pipeGoCancel(reader), true, 'it fired');
    await write('again\n');
    assert.equal(g.seen.bytes, 1, 'once');

    const g2 = gate();
    pipeGoOnNewline(reader, g2.write);
    closeFd(g2.write);
    pipeClose(reader); // the probe finished without a line
    await g2.change();
    assert.equal(g2.seen.eof, true, 'closed unfired: its copy goes');
    assert.equal(g2.seen.bytes, 0);
    assert.equal(pipeGoCancel(reader), false);
    g2.close();
  } finally {
    closeFd(p.write);
    pipeClose(reader);
    g.close();
  }
}));

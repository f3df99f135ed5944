import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { AnsiStripper, captureOutput, formatLogTime, LineStamper, RotatingFile, stripAnsi } from '../src/logs/index.js';
import { exited, run, runNode, seqText, tempDir } from './logs-helpers.js';

const T1 = new Date(2026, 10, 26, 16, 20, 6, 123);
const T2 = new Date(2026, 10, 26, 16, 20, 7, 5);
const S1 = '2026-11-26 16:20:06,123 ';
const S2 = '2026-11-26 16:20:07,005 ';

/** supervisor's own stripEscapes, when Debian's supervisor is installed. */
function supervisorStrip(inputs: Buffer[]): Buffer[] | null {
  const code =
    'import sys,json\nfrom supervisor.dispatchers import stripEscapes\n' +
    'for h in json.load(sys.stdin): sys.stdout.write(stripEscapes(bytes.fromhex(h)).hex()+"\\n")\n';
  const r = spawnSync('/usr/bin/python3', ['-c', code], { input: JSON.stringify(inputs.map((b) => b.toString('hex'))) });
  if (r.status !== 0) return null;
  return r.stdout.toString().trim().split('\n').map((h) => Buffer.from(h, 'hex'));
}

describe('formatLogTime', () => {
  it('is supervisor asctime: local time, comma, truncated milliseconds', () => {
    assert.equal(formatLogTime(T1), S1.trim());
    assert.equal(formatLogTime(new Date(2026, 0, 2, 3, 4, 5, 9)), '2026-01-02 03:04:05,009');
  });
});

describe('LineStamper', () => {
  it('stamps each line once, when its first byte arrives, across chunk boundaries', () => {
    const s = new LineStamper();
    const out = [
      s.stamp(Buffer.from('he'), T1),
      s.stamp(Buffer.from('llo\nwor'), T2),
      s.stamp(Buffer.from('ld\n'), T2),
      s.stamp(Buffer.from('\n'), T1),
      s.stamp(Buffer.from('a\nb\nc'), T2),
    ].map(String);
    assert.deepEqual(out, [`${S1}he`, `llo\n${S2}wor`, 'ld\n', `${S1}\n`, `${S2}a\n${S2}b\n${S2}c`]);
  });

  it('leaves any bytes (binary, UTF-8) unchanged apart from the prefixes', () => {
    const s = new LineStamper();
    const bytes = Buffer.concat([Buffer.from([0, 0xff, 0x80, 0x0a, 0xc3]), Buffer.from('é€\n')]);
    const out = s.stamp(bytes, T1);
    assert.deepEqual(out, Buffer.concat([Buffer.from(S1), bytes.subarray(0, 4), Buffer.from(S1), bytes.subarray(4)]));
  });
});

describe('AnsiStripper', () => {
  const samples = [
    '\x1b[31mred\x1b[0m plain',
    'no escapes at all',
    'lone \x1b escape kept',
    '\x1b[1;32;40mbold\x1b[K\x1b[2J end',
    'cursor \x1b[10;20H moved \x1b[s saved \x1b[u',
    'unterminated \x1b[31',
    '\x1b\x1b[mx',
  ];

  it('matches supervisor stripEscapes on whole inputs', (t) => {
    const inputs = samples.map((s) => Buffer.from(s, 'latin1'));
    const theirs = supervisorStrip(inputs);
    if (!theirs) return t.skip('python3 with supervisor not available');
    assert.deepEqual(inputs.map((b) => stripAnsi(b).toString('latin1')), theirs.map((b) => b.toString('latin1')));
  });

  it('gives the same result whatever the chunk boundaries', () => {
    for (const sample of samples) {
      const data = Buffer.from(sample, 'latin1');
      const whole = stripAnsi(data).toString('latin1');
      for (let cut = 0; cut <= data.length; cut++) {
        const s = new AnsiStripper();
        const parts = [s.strip(data.subarray(0, cut)), s.strip(data.subarray(cut)), s.flush()];
        assert.equal(Buffer.concat(parts).toString('latin1'), whole, `${JSON.stringify(sample)} cut at ${cut}`);
      }
    }
  });
});

describe('captureOutput', () => {
  it('keeps output written right before the child exits (ends on pipe close, not exit)', async () => {
    const dir = tempDir();
    const path = join(dir, 'last.log');
    const file = new RotatingFile(path);
    // The child's writes reach the pipe (write(2)) before it exits; the pipe is read after.
    const child = runNode(
      `import fs from 'node:fs'; fs.writeSync(1, 'x'.repeat(1 << 20)); fs.writeSync(1, 'last line\\n'); process.exit(0);`,
    );
    const result = await captureOutput(child.stdout!, file);
    await file.close();
    assert.equal(result.bytesRead, (1 << 20) + 10);
    assert.equal(readFileSync(path, 'utf8'), 'x'.repeat(1 << 20) + 'last line\n');
  });

  it('stamps lines a child writes in pieces', async () => {
    const dir = tempDir();
    const path = join(dir, 'ts.log');
    const file = new RotatingFile(path);
    const child = runNode(
      `const w = (s) => new Promise((r) => process.stdout.write(s, () => setTimeout(r, 30)));
       await w('hel'); await w('lo\\nwor'); await w('ld\\n'); await w('no newline at end');`,
    );
    await captureOutput(child.stdout!, file, { timestamps: true });
    await file.close();
    const ts = String.raw`\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} `;
    assert.match(readFileSync(path, 'utf8'), new RegExp(`^${ts}hello\n${ts}world\n${ts}no newline at end$`));
  });

  it('strips ANSI escapes from a real child when asked', async () => {
    const dir = tempDir();
    const path = join(dir, 'ansi.log');
    const file = new RotatingFile(path);
    const child = run('printf', [String.raw`\033[31mred\033[0m and \033[1mbold\033[0m\n`]);
    await captureOutput(child.stdout!, file, { stripAnsi: true });
    await file.close();
    assert.equal(readFileSync(path, 'utf8'), 'red and bold\n');
  });

  it('NONE (no sink): drains the pipe, keeps nothing, still feeds onData', async () => {
    const seen: Buffer[] = [];
    const child = run('seq', ['1', '100000']);
    const [result] = await Promise.all([captureOutput(child.stdout!, null, { onData: (c) => seen.push(c) }), exited(child)]);
    assert.equal(result.bytesLogged, 0);
    assert.equal(Buffer.concat(seen).toString(), seqText(100000));
  });

  it('onData sees exactly what is written to the file', async () => {
    const dir = tempDir();
    const path = join(dir, 'follow.log');
    const file = new RotatingFile(path);
    const seen: Buffer[] = [];
    const child = run('seq', ['1', '20000']);
    await captureOutput(child.stdout!, file, {
      timestamps: true,
      onData: (c) => {
        seen.push(c);
        if (seen.length === 2) throw new Error('a buggy follower');
      },
    });
    await file.close();
    assert.equal(Buffer.concat(seen).toString(), readFileSync(path, 'utf8'));
  });
});

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { captureOutput, PipeSource, readableOf, RotatingFile } from '../src/logs/index.js';
import { closeFd, makePipe } from '../src/native/index.js';
import { exited, seqText, sleep, tempDir, waitUntil } from './logs-helpers.js';

/** A child writing `seq 1 n` into a fresh pipe; returns the read end as a PipeSource. */
function seqSource(n: number): { source: PipeSource; done: Promise<number | null> } {
  const pipe = makePipe();
  const child = spawn('seq', ['1', String(n)], { stdio: ['ignore', pipe.write, 'ignore'] });
  closeFd(pipe.write);
  return { source: new PipeSource(pipe.read), done: exited(child) };
}

const BIG = 400_000; // 2.6 MB: many buffers, busy reads

describe('PipeSource', () => {
  it('feeds captureOutput directly: every byte once, in order', async () => {
    const path = join(tempDir('pipesrc'), 'out.log');
    const file = new RotatingFile(path);
    const { source, done } = seqSource(BIG);
    const [result] = await Promise.all([captureOutput(source, file), done]);
    await file.close();
    assert.equal(result.bytesRead, seqText(BIG).length);
    assert.equal(readFileSync(path, 'latin1'), seqText(BIG));
  });

  it('readableOf: an ordinary Readable for the filters of listeners and capture mode; chunks are never reused', async () => {
    const { source, done } = seqSource(BIG);
    const chunks: Buffer[] = [];
    for await (const chunk of readableOf(source)) chunks.push(chunk as Buffer);
    await done;
    assert.equal(Buffer.concat(chunks).toString('latin1'), seqText(BIG));
  });

  it('lends buffers to a direct consumer until released; unreleased ones are never read into', async () => {
    const { source, done } = seqSource(BIG);
    const kept: Array<{ chunk: Buffer; copy: Buffer; released: boolean }> = [];
    let ended: Error | null | undefined;
    let lentCount = 0;
    let lentBytes = 0;
    source.consume({
      data(chunk, lent) {
        const entry = { chunk, copy: Buffer.from(chunk), released: false };
        kept.push(entry);
        if (lent) {
          lentCount++;
          lentBytes += chunk.length;
          entry.released = lentCount % 2 === 0;
          if (entry.released) PipeSource.release(chunk); // every other one goes back at once
        }
        return kept.length % 20 !== 1; // pause now and then: the pipe fills, reads get big
      },
      end(err) {
        ended = err;
      },
    });
    while (ended === undefined) {
      await sleep(5);
      source.resumeReading();
    }
    await done;
    assert.equal(ended, null);
    assert.ok(lentCount >= 2 && lentBytes > seqText(BIG).length / 2, `big reads are lent, not copied (${lentCount} of ${kept.length}, ${lentBytes} bytes)`);
    assert.equal(Buffer.concat(kept.map((k) => k.copy)).toString('latin1'), seqText(BIG));
    // the chunks still held were not overwritten by later reads (released ones may well be)
    for (const [i, k] of kept.entries()) if (!k.released) assert.ok(k.chunk.equals(k.copy), `chunk ${i} intact`);
    assert.ok(kept.some((k) => k.released && !k.chunk.equals(k.copy)), 'released buffers are read into again');
  });

  it('a shell pipeline writing 4 KiB at a time is read in big pieces, not once per write', async () => {
    const size = 16 * 1024 * 1024;
    const pipe = makePipe();
    const child = spawn('sh', ['-c', `head -c ${size} /dev/zero | tr '\\0' x`], { stdio: ['ignore', pipe.write, 'ignore'] });
    closeFd(pipe.write);
    const source = new PipeSource(pipe.read);
    let reads = 0;
    let bytes = 0;
    let other = 0;
    const ended = new Promise<void>((resolve) =>
      source.consume({
        data(chunk, lent) {
          reads++;
          bytes += chunk.length;
          for (const b of chunk) if (b !== 0x78) other++;
          if (lent) PipeSource.release(chunk);
          return true;
        },
        end: () => resolve(),
      }),
    );
    await Promise.all([ended, exited(child)]);
    assert.equal(bytes, size);
    assert.equal(other, 0);
    // tr writes 4 KiB at a time: woken for each write, the reader would see ~4096 reads
    assert.ok(size / reads >= 32 * 1024, `${reads} reads, ${Math.round(size / reads)} bytes each`);
  });

  it('pauses while the consumer says so and resumes on request', async () => {
    const { source, done } = seqSource(BIG);
    let calls = 0;
    let text = '';
    let ended = false;
    source.consume({
      data(chunk, lent) {
        calls++;
        text += chunk.toString('latin1');
        if (lent) PipeSource.release(chunk);
        return calls !== 1; // pause after the first chunk
      },
      end() {
        ended = true;
      },
    });
    await waitUntil(() => calls === 1, 5_000, 'the first chunk');
    await sleep(100);
    assert.equal(calls, 1, 'no data while paused');
    source.resumeReading();
    await done;
    await waitUntil(() => ended, 5_000, 'the end');
    assert.equal(text, seqText(BIG));
  });

  it('close() ends the stream as at EOF while a writer still holds the pipe', async () => {
    const pipe = makePipe();
    const source = new PipeSource(pipe.read);
    const got: string[] = [];
    let ended: Error | null | undefined;
    source.consume({
      data(chunk, lent) {
        got.push(chunk.toString());
        if (lent) PipeSource.release(chunk);
        return true;
      },
      end(err) {
        ended = err;
      },
    });
    const { writeSync } = await import('node:fs');
    writeSync(pipe.write, 'before close\n');
    await waitUntil(() => got.join('') === 'before close\n', 5_000, 'the data');
    assert.equal(ended, undefined);
    source.close(); // the write end is still open here: only close() could end it
    assert.equal(ended, null);
    source.close(); // idempotent
    closeFd(pipe.write);
  });

  it('refuses an fd that is not a pipe (libuv cannot poll it); a consumer after close() hears the end at once', async () => {
    const { openSync, closeSync } = await import('node:fs');
    const dirFd = openSync(tempDir('pipesrc-err'), 'r');
    assert.throws(() => new PipeSource(dirFd), { code: 'ERR_INVALID_FD_TYPE', message: /fd \d+ is not a pipe or socket/ });
    closeSync(dirFd); // still the caller's
    // closed before anyone consumed it: the consumer hears the end at once
    const pipe = makePipe();
    const late = new PipeSource(pipe.read);
    late.close();
    let lateEnd: Error | null | undefined;
    late.consume({ data: () => true, end: (e) => (lateEnd = e) });
    assert.equal(lateEnd, null);
    closeFd(pipe.write);
  });

  it('many pipes open and close without leaking fds', async () => {
    const before = (await import('node:fs')).readdirSync('/proc/self/fd').length;
    for (let i = 0; i < 200; i++) {
      const pipe = makePipe();
      const source = new PipeSource(pipe.read);
      const end = new Promise<Error | null>((resolve) => source.consume({ data: () => true, end: resolve }));
      closeFd(pipe.write);
      assert.equal(await end, null);
    }
    await sleep(50); // libuv closes the handles on the next loop turn
    const after = (await import('node:fs')).readdirSync('/proc/self/fd').length;
    assert.ok(after <= before + 2, `fds before ${before}, after ${after}`);
  });
});

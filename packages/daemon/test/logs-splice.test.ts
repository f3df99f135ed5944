/**
 * Splicing a child's pipe into its log file (logs/capture.ts, native/tsv_pipe.c): real children
 * writing into real pipes, real files. What is checked is what a user would see: every byte
 * once and in order in the files, across rotations and across the switches between splicing and
 * reading; what the daemon must still see (a follower, a check) it sees.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Capture, PipeSource, RotatingFile, type CaptureListener, type CaptureResult } from '../src/logs/index.js';
import { closeFd, makePipe } from '../src/native/index.js';
import { exited, seqText, tempDir } from './logs-helpers.js';

/** A child writing `seq 1 n` into a fresh pipe; returns the read end as a PipeSource. */
function seqSource(n: number): { source: PipeSource; done: Promise<number | null> } {
  const pipe = makePipe();
  const child = spawn('seq', ['1', String(n)], { stdio: ['ignore', pipe.write, 'ignore'] });
  closeFd(pipe.write);
  return { source: new PipeSource(pipe.read), done: exited(child) };
}

/** The rotated files oldest first, then the current one, joined. */
function joined(path: string, backups: number): string {
  let s = '';
  for (let i = backups; i >= 1; i--) {
    try {
      s += readFileSync(`${path}.${i}`, 'latin1');
    } catch {
      // not made (yet)
    }
  }
  return s + readFileSync(path, 'latin1');
}

interface Run {
  result: CaptureResult;
  /** Bytes the capture showed the daemon (read, not spliced). */
  seen: string;
  /** The same, as the runs between two splices. */
  runs: string[];
  /** How often it started splicing. */
  splices: number;
}

/** Captures `source` into `file` with a listener that needs the bytes only while `wants()`. */
function capture(source: PipeSource, file: RotatingFile, wants: () => boolean, onChunk?: (c: Capture) => void): { run: Promise<Run>; capture: Capture } {
  let seen = '';
  const runs = [''];
  let splices = 0;
  let done!: (r: Run) => void;
  const run = new Promise<Run>((resolve) => (done = resolve));
  const listener: CaptureListener = {
    captured(c, chunk) {
      seen += chunk.toString('latin1');
      runs[runs.length - 1] += chunk.toString('latin1');
      onChunk?.(c);
    },
    captureEnded: (_, result) => done({ result, seen, runs, splices }),
    wantsBytes: () => wants(),
    splicing: (_, on) => {
      if (!on) return;
      splices++;
      runs.push('');
    },
  };
  const c = new Capture(source, file, {}, listener, 'stdout');
  c.start();
  return { run, capture: c };
}

const N = 1_500_000; // 10.9 MB of numbered lines

describe('splice: a pipe whose bytes only its log file needs', () => {
  it('goes into the file in the kernel: every byte once, in order, rotated at maxbytes exactly, counted as written', async () => {
    const path = join(tempDir('splice'), 'out.log');
    const maxbytes = 1024 * 1024;
    const backups = 20;
    const file = new RotatingFile(path, { maxbytes, backups });
    const { source, done } = seqSource(N);
    const { run } = capture(source, file, () => false);
    const [r] = await Promise.all([run, done]);
    await file.close();
    const text = seqText(N);
    assert.equal(joined(path, backups), text);
    assert.equal(r.result.bytesRead, text.length);
    assert.equal(r.result.bytesLogged, text.length);
    assert.equal(file.writtenBytes, text.length);
    assert.ok(r.splices >= 1, 'it spliced');
    // the daemon saw only what came before each splice began (a rotation reads one piece)
    assert.ok(r.seen.length < text.length / 2, `${r.seen.length} of ${text.length} bytes went through the daemon`);
    // a splice stops exactly at maxbytes (a read write may cross it by one piece)
    const sizes = Array.from({ length: 10 }, (_, i) => statSync(`${path}.${i + 1}`).size);
    assert.ok(sizes.some((s) => s === maxbytes), `backup sizes ${sizes}`);
    assert.ok(sizes.every((s) => s >= maxbytes), `backup sizes ${sizes}`);
  });

  it('reads again whenever its bytes are needed, and splices again after: nothing lost or doubled across the switches', async () => {
    const path = join(tempDir('splice'), 'out.log');
    const file = new RotatingFile(path);
    const { source, done } = seqSource(N);
    let wanted = false;
    let switches = 0;
    // every 20 ms the bytes become needed (stopSplicing, as a live follower does) or not
    let c: Capture | null = null;
    const timer = setInterval(() => {
      wanted = !wanted;
      switches++;
      if (wanted) c?.stopSplicing();
    }, 20);
    const started = capture(source, file, () => wanted);
    c = started.capture;
    const [r] = await Promise.all([started.run, done]);
    clearInterval(timer);
    await file.close();
    const text = seqText(N);
    assert.equal(readFileSync(path, 'latin1'), text);
    assert.equal(r.result.bytesRead, text.length);
    assert.ok(r.splices >= 1, `it spliced (${switches} switches)`);
    // what the daemon saw while the bytes were needed: runs of the stream, each whole, in order
    assert.ok(r.seen.length > 0 && r.seen.length < text.length, `${r.seen.length} bytes seen`);
    let at = 0;
    for (const run of r.runs) {
      const next = text.indexOf(run, at);
      assert.ok(next >= at, `a run of ${run.length} bytes seen is not the stream's next part: ${JSON.stringify(run.slice(0, 40))}`);
      at = next + run.length;
    }
  });

  it('a log with a follower is not spliced into (the follower reads the last MiB from memory)', async () => {
    const path = join(tempDir('splice'), 'out.log');
    const file = new RotatingFile(path);
    const unwatch = file.generations.watch(() => undefined);
    const { source, done } = seqSource(200_000);
    const { run } = capture(source, file, () => false);
    const [r] = await Promise.all([run, done]);
    unwatch();
    await file.close();
    assert.equal(r.splices, 0);
    assert.equal(r.seen, seqText(200_000));
    assert.equal(readFileSync(path, 'latin1'), seqText(200_000));
  });
  it('splices that stall the event loop (a slow disk) send the file to the thread pool, as slow writes do: the splice stops', async () => {
    const path = join(tempDir('splice'), 'out.log');
    const file = new RotatingFile(path);
    await file.write(Buffer.from('first\n')); // opened
    let stopped = 0;
    const splicer = { spliceStopped: () => stopped++ };
    assert.ok(file.beginSplice(splicer), 'a local file takes a splice');
    // 64 KiB moved in 60 ms is a stall (the budget: 20 ms per MiB); 100 ms of them in a second
    assert.ok(file.spliced(65536, 60), 'one slow splice is not yet a stalling disk');
    assert.equal(file.spliced(65536, 60), null, 'the second one is');
    assert.equal(file.maySplice(), false, 'written through the thread pool for a while: no splice');
    file.endSplice(splicer);
    await file.close();
    assert.equal(stopped, 0, 'the splicer stops by the answer, not by a call back');
  });
});

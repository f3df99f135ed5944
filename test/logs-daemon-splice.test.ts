/**
 * A program's output that nothing but its log file needs goes from its pipe into the file
 * without the daemon's event loop (docs/logs.md): spliced inside the kernel (splice(2)), or,
 * while the program floods, copied by a thread of its own as `cat` would. Seen from outside, as
 * an operator would: /proc/<daemon>/task/<daemon>/io's rchar counts every byte the main thread
 * reads with read(2) and not what it splices nor what another thread reads, so it tells which
 * way the output went. Where the bytes are needed (a PROCESS_LOG event, TSV_LOG_SPLICE=0) the
 * main thread reads them all; a `tail -f` that joins a spliced log in the middle gets every byte
 * after its head; a flood into a rotated log is cut exactly where the file reaches maxbytes,
 * also when a follower stops the copier in the middle.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as h from './harness.js';
import { assertNumberedTail, follow, isTs, logDir, readAll, withBackups, withDaemon } from './logs-helpers.js';

/** test/fixtures/logs/flood.py: BLOCKS × (100 lines `x`, then `m N`), a line per write, then `end`. */
const FLOOD = join(h.fixturesDir, 'logs', 'flood.py');
const BLOCKS = 3000;
const FLOOD_TEXT = (() => {
  let s = '';
  for (let n = 1; n <= BLOCKS; n++) s += `${'x\n'.repeat(100)}m ${n}\n`;
  return `${s}end\n`;
})();

const SIZE = 32 * 1024 * 1024;

/** A program writing SIZE bytes of `x` (no newline), then sleeping; logged to `name`.log. */
function flood(name: string, extra = ''): string {
  return `
[program:${name}]
command=sh -c 'head -c ${SIZE} /dev/zero | tr "\\0" x; exec sleep 100000'
autostart=false
startsecs=0
stdout_logfile=%(here)s/${name}.log
stdout_logfile_maxbytes=0
${extra}`;
}

/** Bytes the daemon's main thread (its event loop) has read with read(2) and its kind so far. */
function bytesRead(pid: number): number {
  return Number(/^rchar: (\d+)$/m.exec(readFileSync(`/proc/${pid}/task/${pid}/io`, 'utf8'))![1]);
}

/** Starts `name`, waits until its log holds all SIZE bytes; returns what the daemon read meanwhile. */
async function logged(d: h.Daemon, name: string): Promise<number> {
  const before = bytesRead(d.pid);
  assert.match((await d.ctl(['start', name])).stdout, /started/);
  await h.waitFor(`${name}.log to hold ${SIZE} bytes`, () => statSync(logDir(d, `${name}.log`)).size >= SIZE || undefined, 60_000, 50);
  return bytesRead(d.pid) - before;
}

test('a log nothing else needs is spliced: the daemon\'s event loop reads almost none of the 32 MiB its program writes, and the file has them all', { skip: !isTs && 'tsupervisord only' }, async () => {
  await withDaemon(flood('quiet'), async (d) => {
    const read = await logged(d, 'quiet');
    const text = readFileSync(logDir(d, 'quiet.log'), 'latin1');
    assert.equal(text.length, SIZE);
    assert.ok(/^x+$/.test(text), 'only x, nothing lost or doubled');
    // what is read is the start (before the first splice) and the control connections
    assert.ok(read < SIZE / 10, `the daemon read ${read} bytes of ${SIZE}`);
  });
});

test('a log whose bytes are needed is read: PROCESS_LOG events on, or TSV_LOG_SPLICE=0', { skip: !isTs && 'tsupervisord only' }, async () => {
  await withDaemon(flood('evented', 'stdout_events_enabled=true\n'), async (d) => {
    const read = await logged(d, 'evented');
    assert.ok(read >= SIZE, `the daemon read ${read} bytes of ${SIZE}`);
  });
  await withDaemon(
    flood('plain'),
    async (d) => {
      const read = await logged(d, 'plain');
      assert.ok(read >= SIZE, `the daemon read ${read} bytes of ${SIZE}`);
    },
    { env: { TSV_LOG_SPLICE: '0' } },
  );
});

test('tail -f joining a spliced log: every byte after its head, in order', { skip: !isTs && 'tsupervisord only' }, async () => {
  await withDaemon(
    `
[program:blocks]
command=/usr/bin/python3 ${FLOOD} ${BLOCKS}
autostart=false
startsecs=0
stdout_logfile=%(here)s/blocks.log
stdout_logfile_maxbytes=0
`,
    async (d) => {
      assert.match((await d.ctl(['start', 'blocks'])).stdout, /started/);
      const size = () => statSync(logDir(d, 'blocks.log')).size;
      await h.waitFor('some output', () => size() > 20_000 || undefined, 20_000, 20);
      // unfollowed, the program's output is spliced: the daemon reads next to none of it
      const [read0, size0] = [bytesRead(d.pid), size()];
      await h.sleep(1000);
      const [read1, size1] = [bytesRead(d.pid), size()];
      assert.ok(size1 - size0 > 20_000 && read1 - read0 < (size1 - size0) / 10, `read ${read1 - read0} of ${size1 - size0} bytes written`);
      const f = follow(d, ['tail', '-f', 'blocks']);
      await h.sleep(1500);
      const { code, stdout } = await f.stop();
      assert.equal(code, 0);
      // after the header and the head's first (maybe cut) line, a run of the program's output
      const body = stdout.slice(stdout.indexOf('\n') + 1).replace(/^[^\n]*\n/, '').replace(/\n$/, '');
      assert.ok(body.length > 10_000 && /\nm \d+\n/.test(body), `followed ${body.length} bytes`);
      assert.ok(FLOOD_TEXT.includes(body), `not a run of the output: ${JSON.stringify(body.slice(0, 80))}…${JSON.stringify(body.slice(-80))}`);
    },
  );
});

test('a flood into a rotated log, a follower joining in the middle: cut at maxbytes, nothing lost or doubled', { skip: !isTs && 'tsupervisord only', timeout: 120_000 }, async () => {
  const LINES = 5_000_000; // `line 00000001`, 14 bytes each: 70 MB, 1 MB a file
  const MAXBYTES = 1024 * 1024;
  await withDaemon(
    `
[program:rotated]
command=seq -f 'line %%08.0f' 1 ${LINES}
autostart=false
autorestart=false
startsecs=0
stdout_logfile=%(here)s/rotated.log
stdout_logfile_maxbytes=1MB
stdout_logfile_backups=80
`,
    async (d) => {
      const path = logDir(d, 'rotated.log');
      const before = bytesRead(d.pid);
      assert.match((await d.ctl(['start', 'rotated'])).stdout, /started/);
      await h.waitFor('a few rotations', () => withBackups(path).length > 4 || undefined, 60_000, 10);
      // a follower stops the copy where it is (the bytes it moved untold are counted), reads a
      // while, and leaves: the copy starts again
      const f = follow(d, ['tail', '-f', 'rotated']);
      await h.sleep(300);
      assert.equal((await f.stop()).code, 0);
      const during = bytesRead(d.pid) - before;
      await h.waitFor('the program to exit', async () => /EXITED/.test((await d.ctl(['status', 'rotated'])).stdout) || undefined, 60_000, 50);
      const files = withBackups(path);
      const text = readAll(files);
      assert.ok(text.startsWith('line 00000001\n'), 'from the first line');
      assertNumberedTail(text, LINES);
      // each backup was cut where it reached maxbytes (a chunk read while rotating may cross it)
      for (const file of files.slice(0, -1)) {
        const size = statSync(file).size;
        assert.ok(size >= MAXBYTES && size <= MAXBYTES + 256 * 1024, `${file}: ${size} bytes`);
      }
      const read = bytesRead(d.pid) - before;
      assert.ok(read - during < (text.length - during) / 4, `the event loop read ${read} bytes of ${text.length} (${during} while followed)`);
    },
  );
});

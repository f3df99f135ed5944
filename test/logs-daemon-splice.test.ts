/**
 * A program's output that nothing but its log file needs goes from its pipe into the file
 * inside the kernel (splice(2), docs/logs.md): the daemon never reads those bytes. Seen from
 * outside, as an operator would: /proc/<daemon>/io's rchar counts every byte a process reads
 * with read(2) and not what it splices, so it tells which way the output went. Where the bytes
 * are needed (a PROCESS_LOG event, TSV_LOG_SPLICE=0) the daemon reads them all; a `tail -f`
 * that joins a spliced log in the middle gets every byte after its head.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as h from './harness.js';
import { follow, isTs, logDir, withDaemon } from './logs-helpers.js';

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

/** Bytes the daemon has read with read(2) and its kind so far. */
function bytesRead(pid: number): number {
  return Number(/^rchar: (\d+)$/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))![1]);
}

/** Starts `name`, waits until its log holds all SIZE bytes; returns what the daemon read meanwhile. */
async function logged(d: h.Daemon, name: string): Promise<number> {
  const before = bytesRead(d.pid);
  assert.match((await d.ctl(['start', name])).stdout, /started/);
  await h.waitFor(`${name}.log to hold ${SIZE} bytes`, () => statSync(logDir(d, `${name}.log`)).size >= SIZE || undefined, 60_000, 50);
  return bytesRead(d.pid) - before;
}

test('a log nothing else needs is spliced: the daemon reads almost none of the 32 MiB its program writes, and the file has them all', { skip: !isTs && 'tsupervisord only' }, async () => {
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

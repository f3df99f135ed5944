/**
 * `tail -f` / `maintail -f` join the head (the log's last 1024 bytes) to the output that follows
 * it exactly: every byte written to the log appears once and in order, whatever it is. The
 * programs print the same line `x` 80,000 times (a numbered `m N` line after each 100, so that a
 * missing or doubled `x` shows), fast, while followers start one after another; each
 * follower's output must be exactly the end of what the program printed. Also with the log
 * rotating every few KiB, with several names at once (prefixed lines) and for the daemon's
 * log, and for Debian's supervisorctl reading GET /logtail. The single-log cases without rotation
 * also run against supervisord 4.2.5 (SUPERVISORD=supervisord), which passes them; at a
 * rotation it loses output (its /logtail polls the file), so that case is tsupervisor's only.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as h from './harness.js';
import { follow, isTs, logDir, read, withDaemon, type Follower } from './logs-helpers.js';

const BLOCKS = 800;
const HEADER = '==> Press Ctrl-C to exit <==\n';
const FLOOD = join(h.fixturesDir, 'logs', 'flood.py');
const SUPERVISORCTL = '/usr/bin/supervisorctl';

/** test/fixtures/logs/flood.py: BLOCKS × (100 lines `x`, then `m N`), one write per line, for about 2.5 s, then `end`. */
function flood(name: string, extra = ''): string {
  return `
[program:${name}]
command=/usr/bin/python3 ${FLOOD} ${BLOCKS}
autostart=false
startsecs=0
stdout_logfile=%(here)s/${name}.log
${extra}`;
}

/** What flood() prints. */
const FLOOD_TEXT = (() => {
  let s = '';
  for (let n = 1; n <= BLOCKS; n++) s += `${'x\n'.repeat(100)}m ${n}\n`;
  return `${s}end\n`;
})();

/** Starts `programs`, then a follower every `everyMs` while they print; waits for all to see `done`. */
async function followersDuring(d: h.Daemon, programs: string[], args: string[], count: number, done: RegExp, everyMs = 350): Promise<string[]> {
  const r = await d.ctl(['start', ...programs]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const followers: Follower[] = [];
  try {
    for (let i = 0; i < count; i++) {
      followers.push(follow(d, args));
      await h.sleep(everyMs);
    }
    for (const f of followers) await f.waitFor(done, 20_000);
  } finally {
    const out: string[] = [];
    for (const f of followers) {
      const { code, stdout } = await f.stop();
      assert.equal(code, 0);
      out.push(stdout);
    }
    // Ctrl-C ends the output with an empty line, as supervisorctl's
    const body = (o: string) => {
      assert.ok(o.startsWith(HEADER) && o.endsWith('\n\n'), JSON.stringify(o.slice(0, 80) + o.slice(-80)));
      return o.slice(HEADER.length, -1);
    };
    if (out.length === count) return out.map(body);
  }
  throw new Error('unreachable');
}

/** `body` is exactly the end of `all`: nothing missing, doubled or out of order. */
function assertEndOf(all: string, body: string, what: string): void {
  if (all.endsWith(body)) return;
  // where it goes wrong, for the message
  let i = 0;
  while (i < body.length && all[all.length - body.length + i] === body[i]) i++;
  assert.fail(`${what}: not the end of the program's output (${body.length} bytes, differs at ${i}): ${JSON.stringify(body.slice(Math.max(0, i - 40), i + 40))}`);
}

test('tail -f: the same line printed thousands of times while followers start: each byte once, in order', async () => {
  await withDaemon(flood('flood'), async (d) => {
    const bodies = await followersDuring(d, ['flood'], ['tail', '-f', 'flood'], 6, /\nend\n/);
    assert.equal(read(logDir(d, 'flood.log')), FLOOD_TEXT);
    bodies.forEach((body, i) => {
      assertEndOf(FLOOD_TEXT, body, `follower ${i}`);
      // the head: the last 1024 bytes of the log when the follower joined (all of it if shorter)
      assert.ok(body.length >= 1024 || body === FLOOD_TEXT, `follower ${i} starts with the last 1024 bytes: ${body.length}`);
    });
    // some follower did join while the program was printing
    assert.ok(bodies.some((b) => b.length < FLOOD_TEXT.length - 2048), `lengths ${bodies.map((b) => b.length)}`);
  });
});

// supervisord's /logtail polls the file: what was written between its last poll and a rotation is lost
test('tail -f while the log rotates every 4 KiB: each byte once, in order', { skip: !isTs && 'supervisord loses output at a rotation' }, async () => {
  await withDaemon(flood('rot', 'stdout_logfile_maxbytes=4KB\nstdout_logfile_backups=2\n'), async (d) => {
    const bodies = await followersDuring(d, ['rot'], ['tail', '-f', 'rot'], 6, /\nend\n/);
    bodies.forEach((body, i) => assertEndOf(FLOOD_TEXT, body, `follower ${i}`));
    assert.ok(bodies.some((b) => b.length < FLOOD_TEXT.length - 2048), `lengths ${bodies.map((b) => b.length)}`);
  });
});

test('Debian\'s supervisorctl tail -f (GET /logtail): each byte once, in order', { skip: (!isTs || !existsSync(SUPERVISORCTL)) && 'against tsupervisord, with Debian\'s supervisorctl' }, async () => {
  await withDaemon(flood('flood'), async (d) => {
    const bodies = await followersDuring({ ...d, ctlCmd: SUPERVISORCTL }, ['flood'], ['tail', '-f', 'flood'], 4, /\nend\n/);
    bodies.forEach((body, i) => {
      assertEndOf(FLOOD_TEXT, body, `follower ${i}`);
      assert.ok(body.length >= 1024, `follower ${i} starts with the last 1024 bytes: ${body.length}`);
    });
  });
});

test('tail -f a b (prefixed lines): each log\'s lines once, in order (tsupervisorctl extension)', { skip: !isTs && 'supervisorctl follows one process' }, async () => {
  await withDaemon(flood('fa') + flood('fb', 'stdout_logfile_maxbytes=8KB\nstdout_logfile_backups=1\n'), async (d) => {
    const bodies = await followersDuring(d, ['fa', 'fb'], ['tail', '-f', 'fa', 'fb'], 5, /^fa \| end\n[^]*^fb \| end\n|^fb \| end\n[^]*^fa \| end\n/m);
    bodies.forEach((body, i) => {
      for (const name of ['fa', 'fb']) {
        const prefix = `${name} | `;
        const mine = body
          .split('\n')
          .filter((l) => l.startsWith(prefix))
          .map((l) => `${l.slice(prefix.length)}\n`)
          .join('');
        // a head that starts inside a line is shown from its first whole line
        assertEndOf(FLOOD_TEXT, mine, `follower ${i}, ${name}`);
      }
    });
  });
});

test('maintail -f: the daemon log (child output echoed at debug level) once, in order', async () => {
  await withDaemon(
    flood('loud'),
    async (d) => {
      const bodies = await followersDuring(d, ['loud'], ['maintail', '-f'], 4, /\nend\n/);
      await h.sleep(200);
      const mainLog = read(logDir(d, 'supervisord.log'));
      bodies.forEach((body, i) => {
        assert.ok(body.length >= 1024, `follower ${i}: ${body.length} bytes`);
        // timestamped lines: a byte missing or doubled anywhere makes it no part of the log
        assert.ok(mainLog.includes(body), `follower ${i}: not a run of the daemon log: ${JSON.stringify(body.slice(0, 200))}`);
      });
    },
    { supervisordExtra: 'loglevel=debug' },
  );
});

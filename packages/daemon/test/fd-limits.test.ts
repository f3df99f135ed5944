/**
 * Unit tests of the daemon under RLIMIT_NOFILE / RLIMIT_NPROC: minfds/minprocs (rlimits.ts), the
 * spawn budget that keeps descriptors free for the control socket (process/fd-budget.ts), and a
 * process's log file giving back its descriptor between spawns (RotatingFile.release).
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, readlinkSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { RotatingFile } from '../src/logs/index.js';
import type { Rlimit, RlimitResource } from '../src/native/index.js';
import { fdLimit, logsOpening, prepareFdTable, RESERVED_FDS, resetFdBudget, SPAWN_FDS, spawnFdsShort } from '../src/process/fd-budget.js';
import { LimitError, raiseLimits } from '../src/rlimits.js';
import { tempDir } from './logs-helpers.js';

/** getrlimit/setrlimit over a table; setrlimit fails above `hardCeiling` as without root. */
function fakeLimits(table: Record<string, Rlimit>, hardCeiling: number) {
  const calls: string[] = [];
  return {
    calls,
    table,
    getrlimit: (r: RlimitResource) => ({ ...table[r]! }),
    setrlimit: (r: RlimitResource, soft: number, hard: number) => {
      calls.push(`${r} ${soft} ${hard}`);
      if (hard > table[r]!.hard && hard > hardCeiling) throw Object.assign(new Error('EPERM'), { code: 'EPERM' });
      table[r] = { soft, hard };
    },
  };
}

describe('raiseLimits (minfds, minprocs)', () => {
  it('raises a soft limit below the minimum when the hard limit allows, with supervisord\'s INFO line', () => {
    const ops = fakeLimits({ nofile: { soft: 64, hard: 4096 }, nproc: { soft: 100, hard: 1000 } }, 0);
    assert.deepEqual(raiseLimits(1024, 200, ops), ['Increased RLIMIT_NOFILE limit to 1024', 'Increased RLIMIT_NPROC limit to 200']);
    assert.deepEqual(ops.calls, ['nofile 1024 4096', 'nproc 200 1000']);
  });

  it('leaves a limit at or above the minimum, and an unlimited one, alone', () => {
    const ops = fakeLimits({ nofile: { soft: 1024, hard: 1024 }, nproc: { soft: Infinity, hard: Infinity } }, 0);
    assert.deepEqual(raiseLimits(1024, 200, ops), []);
    assert.deepEqual(ops.calls, []);
  });

  it('raises the hard limit too where it may (root)', () => {
    const ops = fakeLimits({ nofile: { soft: 64, hard: 64 }, nproc: { soft: Infinity, hard: Infinity } }, Infinity);
    assert.deepEqual(raiseLimits(1024, 200, ops), ['Increased RLIMIT_NOFILE limit to 1024']);
    assert.deepEqual(ops.table['nofile'], { soft: 1024, hard: 1024 });
  });

  it('refuses with supervisord\'s message (naming minfds, then minprocs) when the hard limit is too low', () => {
    const fds = fakeLimits({ nofile: { soft: 64, hard: 64 }, nproc: { soft: Infinity, hard: Infinity } }, 0);
    assert.throws(() => raiseLimits(1024, 200, fds), (err: Error) => {
      assert.ok(err instanceof LimitError);
      assert.equal(
        err.message,
        'The minimum number of file descriptors required to run this process is 1024 as per the "minfds" command-line argument or config file setting. ' +
          'The current environment will only allow you to open 1024 file descriptors.  Either raise the number of usable file descriptors in your ' +
          'environment (see README.rst) or lower the minfds setting in the config file to allow the process to start.',
      );
      return true;
    });
    const procs = fakeLimits({ nofile: { soft: 2048, hard: 2048 }, nproc: { soft: 50, hard: 50 } }, 0);
    assert.throws(() => raiseLimits(1024, 200, procs), /^Error: The minimum number of available processes required to run this program is 200 as per the "minprocs" .* to allow the program to start\.$/);
  });
});

describe('spawnFdsShort: the spawns leave a reserve free', () => {
  it('allows spawns while SPAWN_FDS + RESERVED_FDS are free, counting /proc only near the limit', async () => {
    resetFdBudget();
    let open = 20;
    let counts = 0;
    const count = () => (counts++, open);
    const limit = () => 100;
    const t = 1_000_000;
    // far from the limit: one count, then estimates
    assert.equal(spawnFdsShort(count, limit, t), null);
    assert.equal(spawnFdsShort(count, limit, t), null);
    assert.equal(counts, 1);
    // meanwhile the descriptors really in use grew (connections, say): not seen until the
    // estimate (20 + SPAWN_FDS per spawn) nears the limit; then /proc is counted, plus the log
    // files still being opened (two spawns' worth here)
    open = 80;
    let opened = (): void => undefined;
    const opening = logsOpening(new Promise<void>((resolve) => (opened = resolve)));
    void logsOpening(new Promise<void>(() => undefined));
    for (let i = 3; i <= 7; i++) assert.equal(spawnFdsShort(count, limit, t), null, `spawn ${i}`);
    assert.equal(counts, 1);
    const refused = spawnFdsShort(count, limit, t);
    assert.deepEqual(refused, { open: 80 + 2 * 2, limit: 100 });
    assert.equal(counts, 2);
    // one spawn's logs are open now (in /proc's count) and a process stopped: 76 + 2 + 18 fits
    opened();
    await opening;
    open = 76;
    assert.equal(spawnFdsShort(count, limit, t), null);
    assert.equal(counts, 3);
    // descriptors given back (processes stopped) and a second later: allowed again
    open = 30;
    assert.equal(spawnFdsShort(count, limit, t + 2000), null);
    resetFdBudget();
  });

  it('an unlimited soft limit refuses nothing and counts nothing', () => {
    resetFdBudget();
    assert.equal(spawnFdsShort(() => assert.fail('counted'), () => Infinity), null);
  });
});

function descriptorsOn(path: string): number {
  let n = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`) === path) n++;
    } catch {
      /* closed meanwhile */
    }
  }
  return n;
}

/** The size of this process's fd table (FDSize in /proc/self/status). */
const fdTableSize = () => Number(/^FDSize:\s+(\d+)/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]);

describe('prepareFdTable: the fd table grown once before the spawns', () => {
  it('grows the table to cover what the processes will keep open, in one step, before resolving', async () => {
    const before = fdTableSize();
    // up to 800 processes at 5 fds each beside 40 open, under this process's own limit (node
    // raises its soft limit to the hard one): beyond the table this test process has
    const processes = Math.min(800, Math.floor((fdLimit() - 100) / 5));
    const reached = await prepareFdTable(processes, () => 40, () => 1 << 20);
    assert.equal(reached, 40 + processes * 5 + SPAWN_FDS + RESERVED_FDS);
    assert.ok(before < reached, `the table was ${before} already`);
    assert.ok(fdTableSize() >= reached, `FDSize ${fdTableSize()} after growing to ${reached}`);
  });

  it('stays under the soft limit: the size asked for is clamped to it', async () => {
    assert.equal(await prepareFdTable(1_000_000, () => 40, () => 1000), 1000);
  });
});

describe('RotatingFile.release: a process\'s log holds no descriptor between spawns', () => {
  it('closes the descriptor after pending writes; the next write opens it again, appending', async () => {
    const dir = tempDir();
    const path = join(dir, 'p.log');
    const f = new RotatingFile(path, { lazy: true });
    await f.reopen(); // a spawn
    await f.write(Buffer.from('one\n'));
    assert.equal(descriptorsOn(path), 1);
    void f.write(Buffer.from('two\n'));
    await f.release(); // the spawn's pipes closed
    assert.equal(descriptorsOn(path), 0);
    assert.equal(readFileSync(path, 'utf8'), 'one\ntwo\n');
    await f.reopen(); // the next spawn
    await f.write(Buffer.from('three\n'));
    assert.equal(readFileSync(path, 'utf8'), 'one\ntwo\nthree\n');
    assert.equal(descriptorsOn(path), 1);
    await f.close();
  });

  it('released: SIGUSR2 makes a moved file again and clear leaves an empty one, neither keeping a descriptor', async () => {
    const dir = tempDir();
    const path = join(dir, 'p.log');
    const f = new RotatingFile(path, { lazy: true });
    await f.reopen();
    await f.write(Buffer.from('before\n'));
    await f.release();
    renameSync(path, `${path}.moved`); // logrotate
    await f.reopen({ ifOpened: true });
    assert.equal(readFileSync(path, 'utf8'), '');
    assert.equal(descriptorsOn(path), 0);
    await f.write(Buffer.from('x\n'));
    await f.release();
    await f.clear();
    assert.equal(readFileSync(path, 'utf8'), '');
    assert.equal(descriptorsOn(path), 0);
    // never opened at all: SIGUSR2 still makes nothing
    const never = new RotatingFile(join(dir, 'never.log'), { lazy: true });
    await never.reopen({ ifOpened: true });
    await never.release();
    assert.equal(existsSync(join(dir, 'never.log')), false);
    await f.close();
  });
});

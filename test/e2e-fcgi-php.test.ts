// A PHP pool: Debian's php-cgi as `[fcgi-program:php]` (it serves FastCGI on fd 0 when stdin
// is a socket; PHP_FCGI_CHILDREN=0: no forking of its own, the daemon is the process manager)
// behind nginx serving a small .php page. Requests are spread over the workers; `restart php:*`
// and `restart --rolling php:*` under a request loop answer every request 200.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as h from './harness.js';
import { assertAll200, poolSection, startPool, underLoad, workerNames, type Pool } from './fcgi-pool.js';

const PHP_CGI = '/usr/bin/php-cgi';
const skip = !existsSync(PHP_CGI) ? 'php-cgi is not installed' : false;
const NAMES = workerNames('php', 3);
let pool: Pool | undefined;
let docroot: h.TmpDir | undefined;

before(async () => {
  if (skip) return;
  docroot = h.makeTmpDir('tsv-php-', 0o755);
  writeFileSync(join(docroot.path, 'index.php'), '<?php usleep(5000); echo "ProcessId: " . getmypid() . "\\n";\n', { mode: 0o644 });
  const fcgiPort = await h.freePort();
  pool = await startPool({
    sections: poolSection({
      program: 'php',
      socket: `tcp://127.0.0.1:${fcgiPort}`,
      command: PHP_CGI,
      numprocs: 3,
      // No forking inside php-cgi; never exit after N requests (the default is 500).
      extra: 'environment=PHP_FCGI_CHILDREN="0",PHP_FCGI_MAX_REQUESTS="0"',
    }),
    fastcgiPass: () => `127.0.0.1:${fcgiPort}`,
    root: docroot.path,
  });
  await pool.running(NAMES);
});

after(async () => {
  await pool?.stop();
  docroot?.remove();
});

const p = () => {
  assert.ok(pool, 'the pool did not start');
  return pool;
};

test('php-cgi workers serve a .php page through nginx', { skip }, async () => {
  const pids = new Set((await p().running(NAMES)).values());
  const answers = await h.getMany(p().port, 12, '/index.php');
  for (const a of answers) {
    assert.equal(a.status, 200, `${JSON.stringify(a)}${p().context()}`);
    assert.ok(pids.has(h.pidOf(a.body)!), `answered by ${a.body.trim()}, not one of ${[...pids]}`);
  }
});

for (const args of [['restart', 'php:*'], ['restart', '--rolling', 'php:*']]) {
  test(`\`${args.join(' ')}\` under a request loop: every request is answered`, { skip: skip || (args[1] === '--rolling' && h.defaultImpl === 'supervisor' ? 'tsupervisor extension' : false) }, async (t) => {
    const before = await p().running(NAMES);
    const { counts, result } = await underLoad(p().port, 5_000, () => p().d.ctl(args, 60_000), '/index.php');
    assert.equal(result.code, 0, JSON.stringify(result));
    const after = await p().running(NAMES);
    for (const n of NAMES) assert.notEqual(after.get(n), before.get(n), n);
    t.diagnostic(h.describeCounts(counts));
    if (p().d.impl === 'supervisor') return; // supervisor closes the socket with the last worker
    assertAll200(counts, args.join(' '), p().context());
    assert.ok(counts.pids.size >= 4, `answers came from ${counts.pids.size} pids only`);
  });
}

// socket_drain=true (docs/fastcgi.md) with php-cgi workers (Debian's php-cgi, PHP_FCGI_CHILDREN=0:
// one request at a time, no forking) behind nginx, a page that takes 300 ms, 12 clients looping:
// `restart php:*` then `restart --rolling php:*` answer every request 200. php-cgi finishes the
// request it holds on SIGTERM (measured: without the drain this restart fails none either), so
// what this shows is the per-worker sockets with workers that serve one connection at a time, so
// that connections wait in each worker's own queue: none is lost when its worker is stopped (it is
// signalled only once that queue is empty) or while every worker restarts.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as h from './harness.js';
import { assertAll200, poolSection, startPool, workerNames, type Pool } from './fcgi-pool.js';
import { ctlOk, loadDuring } from './fcgi-drain-pool.js';

const PHP_CGI = '/usr/bin/php-cgi';
const skip = !existsSync(PHP_CGI) ? 'php-cgi is not installed' : h.defaultImpl === 'supervisor' ? 'tsupervisor extension (socket_drain)' : false;
const NAMES = workerNames('php', 4);
const pools: Pool[] = [];
let docroot: h.TmpDir | undefined;

before(() => {
  if (skip) return;
  docroot = h.makeTmpDir('tsv-php-drain-', 0o755);
  writeFileSync(join(docroot.path, 'index.php'), '<?php usleep(300000); echo "ProcessId: " . getmypid() . "\\n";\n', { mode: 0o644 });
});

after(async () => {
  for (const p of pools) await p.stop();
  docroot?.remove();
});

async function pool(drain: boolean): Promise<Pool> {
  const fcgiPort = await h.freePort();
  const p = await startPool({
    sections: poolSection({
      program: 'php',
      socket: `tcp://127.0.0.1:${fcgiPort}`,
      command: PHP_CGI,
      numprocs: NAMES.length,
      extra: `environment=PHP_FCGI_CHILDREN="0",PHP_FCGI_MAX_REQUESTS="0"\nsocket_drain=${drain}`,
    }),
    fastcgiPass: () => `127.0.0.1:${fcgiPort}`,
    root: docroot!.path,
  });
  pools.push(p);
  await p.running(NAMES);
  return p;
}

const PAGE = '/index.php';

test('socket_drain: php-cgi restart php:* and restart --rolling under load fail no request', { skip }, async (t) => {
  const p = await pool(true);
  const before = await p.running(NAMES);
  const counts = await loadDuring(p, [
    async () => void (await ctlOk(p, ['restart', 'php:*'])),
    async () => void (await p.running(NAMES)),
    async () => void (await ctlOk(p, ['restart', '--rolling', 'php:*'])),
  ], 12, PAGE);
  const after = await p.running(NAMES);
  for (const n of NAMES) assert.notEqual(after.get(n), before.get(n), `${n} was not restarted`);
  assertAll200(counts, 'php-cgi restart and restart --rolling with socket_drain', p.context(), 40);
  t.diagnostic(h.describeCounts(counts));
});

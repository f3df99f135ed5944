/**
 * Arguments of the wrong type over XML-RPC get supervisord's answers, so Python clients see the
 * same exception and text: test/fixtures/xmlrpc/arg-types.py calls every method with every
 * XML-RPC type in each parameter through xmlrpc.client, and its output must be the one recorded
 * from supervisord 4.2.5 (arg-types.supervisord.txt): the same fault codes and strings
 * (`INCORRECT_PARAMETERS`, `BAD_NAME: 28` …), HTTP 500 with medusa's page where supervisor's
 * method raises (`supervisor.startProcess(123)`, `supervisor.readLog('a', 'b')`), what
 * system.multicall says of those, and the calls that work anyway. Against supervisord
 * (SUPERVISORD=supervisord) it checks the recording; XMLRPC_ARGTYPES_RECORD=1 then rewrites it.
 * Skipped, saying so, without /usr/bin/python3.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as h from './harness.js';

const PYTHON = '/usr/bin/python3';
const SCRIPT = join(h.fixturesDir, 'xmlrpc', 'arg-types.py');
const RECORDED = join(h.fixturesDir, 'xmlrpc', 'arg-types.supervisord.txt');

test('XML-RPC arguments of the wrong type: supervisord\'s faults, 500s and results, call for call', { skip: !existsSync(PYTHON) && `${PYTHON} is not installed` }, async () => {
  const port = await h.freePort();
  const d = await h.startDaemon(`
[inet_http_server]
port=127.0.0.1:${port}

[program:a]
command=sh -c 'trap "" HUP WINCH; exec sleep 1000'
startsecs=0

[program:b]
command=sleep 1000
startsecs=0
autostart=false
`);
  try {
    await d.waitState('a', 'RUNNING', 10_000);
    const r = spawnSync(PYTHON, [SCRIPT, String(port)], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    if (d.impl === 'supervisor' && process.env.XMLRPC_ARGTYPES_RECORD === '1') writeFileSync(RECORDED, r.stdout);
    const want = readFileSync(RECORDED, 'utf8').split('\n');
    const got = r.stdout.split('\n');
    for (let i = 0; i < Math.max(want.length, got.length); i++) assert.equal(got[i], want[i], `line ${i + 1}`);
    if (d.impl === 'tsupervisor') {
      // supervisord logs the request and a traceback; the same line, with the exception
      assert.match(
        readFileSync(join(d.dir, 'supervisord.log'), 'utf8'),
        /CRIT Handling XML-RPC request with data "<\?xml version='1\.0'\?>\\n<methodCall>\\n<methodName>supervisor\.startProcess<\/methodName>.*" raised an unexpected exception: AttributeError: 'int' object has no attribute 'split'\n/,
      );
    }
  } catch (e) {
    (e as Error).message += `\n${d.logs().slice(-3000)}`;
    throw e;
  } finally {
    await d.stop();
  }
});

/**
 * healthcheck= with real processes (issue 16): an http server whose health endpoint starts
 * failing (the file it serves is removed) is restarted (stopsignal, a new pid) with the probe's
 * last answer in the main log; a process whose exec: check keeps passing is left alone, healthy;
 * one whose check fails with retries to spare is shown `(unhealthy: exit status 1)` (and
 * health 'unhealthy' in --json) only for as long as the check fails.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import * as h from './harness.js';

/** supervisor.getProcessInfo over XML-RPC on the daemon's unix socket: the raw response body. */
function xmlProcessInfo(dir: string, name: string): Promise<string> {
  const body = `<?xml version="1.0"?><methodCall><methodName>supervisor.getProcessInfo</methodName><params><param><value><string>${name}</string></value></param></params></methodCall>`;
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath: join(dir, 'supervisor.sock'), path: '/RPC2', method: 'POST', headers: { 'content-type': 'text/xml' } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve(text));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function statusJson(d: h.Daemon, name: string): Promise<Record<string, unknown>> {
  const r = await d.ctl(['status', '--json', name]);
  const doc = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
  return doc[0]!;
}

test('an unhealthy process is restarted with the probe\'s answer logged; a healthy one is not', { timeout: 90_000 }, async () => {
  const tmp = h.makeTmpDir('tsv-health-');
  const port = await h.freePort();
  const www = join(tmp.path, 'www');
  const okFile = join(tmp.path, 'alive');
  mkdirSync(www);
  writeFileSync(join(www, 'health'), 'ok\n');
  writeFileSync(okFile, '');
  const flakyFile = join(tmp.path, 'flaky');
  writeFileSync(flakyFile, '');
  const d = await h.startDaemon(
    `
[program:sick]
command=python3 -m http.server --bind 127.0.0.1 ${port}
directory=${www}
ready=http://127.0.0.1:${port}/health
healthcheck=http://127.0.0.1:${port}/health
healthcheck_interval=0.5
healthcheck_retries=4
stopwaitsecs=2

[program:well]
command=sleep 100
healthcheck=exec:test -e ${okFile}
healthcheck_interval=0.3
startsecs=0

[program:flaky]
command=sleep 100
healthcheck=exec:test -e ${flakyFile}
healthcheck_interval=0.2
healthcheck_retries=100000
startsecs=0
`,
    { dir: tmp.path },
  );
  try {
    const first = await d.waitState('sick', 'RUNNING', 15_000);
    const well = await d.waitState('well', 'RUNNING', 10_000);
    await h.waitFor('sick to be healthy', () => /INFO sick: healthy \(healthcheck=http:/.test(d.logs()), 10_000);
    assert.doesNotMatch(first.description, /unhealthy/);
    // JSON-RPC (status --json) has readiness and health; XML-RPC keeps supervisor's struct
    const json = await statusJson(d, 'sick');
    assert.deepEqual([json['ready'], json['health'], json['health_failures'], json['status_text']], [true, 'healthy', 0, '']);
    const xml = await xmlProcessInfo(d.dir, 'sick');
    assert.match(xml, /<name>description<\/name>/);
    for (const field of ['ready', 'health', 'health_failures', 'status_text']) assert.doesNotMatch(xml, new RegExp(`<name>${field}</name>`));
    rmSync(join(www, 'health'));
    await h.waitFor('the restart', () => /WARN sick: unhealthy: 4 health checks failed in a row \(healthcheck=http:\S+\/health\), last answer: HTTP 404; restarting it with SIGTERM/.test(d.logs()), 15_000);
    writeFileSync(join(www, 'health'), 'ok\n');
    const again = await h.waitFor(
      'sick to run again with a new pid',
      async () => (await d.status('sick')).find((r) => r.state === 'RUNNING' && r.pid !== first.pid),
      15_000,
    );
    assert.doesNotMatch(again.description, /unhealthy/);
    assert.match(d.logs(), /WARN stopped: sick \(terminated by SIGTERM\)/);
    // the healthy one: same pid, never failed
    const wellNow = (await d.status('well'))[0]!;
    assert.equal(wellNow.pid, well.pid);
    assert.equal((await statusJson(d, 'well'))['health'], 'healthy');
    assert.doesNotMatch(d.logs(), /well: health check failed/);
    assert.match(d.logs(), /INFO well: healthy \(healthcheck=exec:test -e /);

    // failing with retries to spare: RUNNING, same pid, the description and --json say so
    const flaky = await d.waitState('flaky', 'RUNNING', 10_000);
    await h.waitFor('flaky to be healthy', () => /INFO flaky: healthy/.test(d.logs()), 10_000);
    rmSync(flakyFile);
    const failing = await h.waitFor('the unhealthy description', async () => (await d.status('flaky')).find((r) => /\(unhealthy: exit status 1\)$/.test(r.description)), 10_000);
    assert.equal(failing.state, 'RUNNING');
    assert.equal(failing.pid, flaky.pid);
    const j = await statusJson(d, 'flaky');
    assert.equal(j['health'], 'unhealthy');
    assert.ok((j['health_failures'] as number) >= 1);
    assert.match(String(j['description']), /\(unhealthy: exit status 1\)$/);
    writeFileSync(flakyFile, '');
    const recovered = await h.waitFor('flaky healthy again', async () => {
      const k = await statusJson(d, 'flaky');
      return k['health'] === 'healthy' ? k : undefined;
    }, 10_000);
    assert.equal(recovered['health_failures'], 0);
    assert.doesNotMatch(String(recovered['description']), /unhealthy/);
    assert.equal(recovered['pid'], flaky.pid);
  } finally {
    await d.stop();
    tmp.remove();
  }
});

/**
 * supervisor's web interface on [inet_http_server] (and the control socket's HTTP side): the
 * status page, its action links (each a 301 back to `/?message=…` with supervisor's words and
 * medusa's short error page as body, checked against supervisord 4.2.5 with curl), tail.html, credentials, and a bad action (500)
 * that leaves the daemon serving.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import * as h from './harness.js';

interface Reply {
  status: number;
  location: string | undefined;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function get(port: number, path: string, auth: string | null = 'admin:secret'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = auth ? { Authorization: `Basic ${Buffer.from(auth).toString('base64')}` } : {};
    const req = http.get({ host: '127.0.0.1', port, path, headers, timeout: 30_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location, headers: res.headers, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${path}: timeout`)));
    req.on('error', reject);
  });
}

/** The 301's body from supervisord 4.2.5, byte for byte (curl against its [inet_http_server]). */
const MOVED_BODY =
  '<head>\r\n<title>Error response</title>\r\n</head>\r\n<body>\r\n<h1>Error response</h1>\r\n' +
  '<p>Error code 301.\r\n<p>Message: Moved Permanently.\r\n</body>\r\n';

/** Follows an action link: the redirect's message. */
async function act(port: number, query: string): Promise<string> {
  const r = await get(port, `/index.html?${query}`);
  assert.equal(r.status, 301, `${query}: ${r.status} ${r.body}`);
  const m = /^http:\/\/127\.0\.0\.1:\d+\/\?message=(.*)$/.exec(r.location ?? '');
  assert.ok(m, `Location: ${r.location}`);
  // supervisord answers with request.error(301): medusa's error page, not an empty body
  assert.equal(r.body, MOVED_BODY);
  assert.equal(r.headers['content-length'], '142');
  assert.equal(r.headers['content-type'], 'text/html');
  assert.equal(r.headers['cache-control'], 'no-cache');
  assert.equal(r.headers.pragma, 'no-cache');
  assert.equal(r.headers.expires, 'Thu, 01 Jan 1970 00:00:00 GMT');
  return decodeURIComponent(m[1]!);
}

test('web interface: status page, actions with supervisor messages, tail.html, credentials', { timeout: 90_000 }, async () => {
  const port = await h.freePort();
  const conf = `
[inet_http_server]
port=127.0.0.1:${port}
username=admin
password=secret

[program:web]
command=sh -c 'echo hello from web; exec sleep 1000'
startsecs=0

[program:off]
command=sleep 1000
autostart=false
startsecs=0

[program:broken]
command=/nonexistent/cmd
autostart=false

[group:g]
programs=off,broken
`;
  await h.withDaemon(conf, async (d) => {
    await d.waitState('web', 'RUNNING');
    assert.equal((await get(port, '/', null)).status, 401);
    assert.equal((await get(port, '/', 'admin:wrong')).status, 401);

    const page = await get(port, '/');
    assert.equal(page.status, 200);
    const rows = page.body.split('<tr class=').slice(1);
    assert.deepEqual(rows.map((r) => /target="_blank">([^<]+)<\/a><\/td>/.exec(r)?.[1]), ['g:broken', 'g:off', 'web']);
    assert.match(rows[2]!, /<span class="statusrunning">running<\/span>/);
    assert.match(rows[2]!, new RegExp(`pid ${(await d.status('web'))[0]!.pid}, uptime`));
    assert.match(rows[1]!, /<span class="statusnominal">stopped<\/span>[\s\S]*Not started/);

    assert.equal(await act(port, 'processname=web&action=stop'), 'Process web stopped');
    assert.equal((await d.status('web'))[0]!.state, 'STOPPED');
    assert.equal(await act(port, 'processname=web&action=start'), 'Process web started');
    assert.equal((await d.status('web'))[0]!.state, 'RUNNING');
    assert.equal(await act(port, 'processname=web&action=start'), 'ERROR: Process web: already started');
    assert.equal(await act(port, 'processname=g%3Abroken&action=start'), 'ERROR: Process g:broken: no such file');
    assert.equal(await act(port, 'processname=nosuch&action=stop'), 'No such process named nosuch');
    // a fault of stop is shown as supervisord's make_callback does, NOT_RUNNING included
    assert.equal(await act(port, 'processname=g%3Aoff&action=stop'), 'unexpected rpc fault [70] NOT_RUNNING: g:off');
    const pid = (await d.status('web'))[0]!.pid;
    assert.equal(await act(port, 'processname=web&action=restart'), 'Process web restarted');
    assert.notEqual((await d.status('web'))[0]!.pid, pid);
    assert.match(await act(port, 'action=refresh'), /^Page refreshed at \w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}$/);
    assert.match(await act(port, 'action=stopall'), /^All stopped at /);
    assert.ok((await d.status()).every((r) => r.state !== 'RUNNING'));
    assert.match(await act(port, 'action=restartall'), /^All restarted at /);
    await d.waitState('web', 'RUNNING');
    assert.match((await get(port, '/?message=Process%20web%20stopped')).body, /<div class="status_msg">Process web stopped<\/div>/);

    await h.waitFor('the output in the log', async () => (await get(port, '/tail.html?processname=web')).body.includes('<pre>hello from web\n'), 10_000);
    assert.match((await get(port, '/tail.html?processname=nosuch')).body, /<pre>ERROR: unexpected rpc fault \[10\] BAD_NAME: nosuch<\/pre>/);
    assert.equal(await act(port, 'processname=web&action=clearlog'), 'Log for web cleared');
    assert.doesNotMatch((await get(port, '/tail.html?processname=web')).body, /hello from web/);

    // an action supervisor does not know on a real process: 500, as supervisord; still serving
    assert.equal((await get(port, '/index.html?processname=web&action=bogus')).status, 500);
    // …and so are an unknown action and a process action without (or with an empty) processname
    assert.equal((await get(port, '/index.html?action=bogus')).status, 500);
    assert.equal((await get(port, '/?action=start')).status, 500);
    assert.equal((await get(port, '/?action=stop&processname=')).status, 500);
    assert.equal((await get(port, '/stylesheets/supervisor.css')).status, 200);
    assert.equal((await get(port, '/nosuch')).status, 404);
    assert.equal((await d.status('web'))[0]!.state, 'RUNNING');
  });
});

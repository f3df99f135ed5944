#!/usr/bin/env node
// Takes docs/live-web.png, the live web page's screenshot in docs/live.md: a daemon (the test
// harness's, from `pnpm run build`) with two groups, programs that spend some CPU and grow
// their memory, a stopped one and an fcgi pool whose workers never accept (the script opens
// connections to it one by one, so its accept queue climbs: a connection closed before it was
// accepted stays queued, so it only climbs); Debian's chromium headless over
// the DevTools protocol (test/harness/cdp.ts, nothing downloaded) opens the page, clicks a
// name so the log pane follows it, and the shot is taken only once every chart holds SAMPLES
// readings (one a second): a shot taken at once shows empty charts.
//
//   node scripts/screenshot-live.mjs [OUT.png]      (default docs/live-web.png; ~70 s)
import { existsSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const harness = join(root, 'test/dist/harness.js');
if (!existsSync(harness)) {
  console.error('test/dist/harness.js is missing: run `pnpm run build` first');
  process.exit(2);
}
const h = await import(harness);
const { chromiumBin, openPage } = await import(join(root, 'test/dist/harness/cdp.js'));
if (!chromiumBin) {
  console.error('chromium is not installed (scripts/setup.sh installs Debian\'s)');
  process.exit(2);
}
const out = process.argv[2] ?? join(root, 'docs/live-web.png');
const SAMPLES = 60;
const node = process.execPath;

// an API answering in bursts of CPU (a log line each), a cache growing its memory
const api = `setInterval(() => { const t = Date.now(), ms = Math.round(Math.random() * 80); while (Date.now() - t < ms); console.log(new Date().toISOString(), 'GET /api/items 200', ms + 'ms') }, 700)`;
const cache = `const kept = []; setInterval(() => kept.push(Buffer.alloc(400000, 1)), 500)`;
const worker = (n) => `setInterval(() => { const t = Date.now(); while (Date.now() - t < ${n}); }, 1000)`;
const js = (code) => `${node} -e "${code.replace(/"/g, '\\"')}"`;

const port = await h.freePort();
const fcgiPort = await h.freePort();
const conf = `
[inet_http_server]
port=127.0.0.1:${port}

[program:api]
command=${js(api)}
startsecs=0

[program:cache]
command=${js(cache)}
startsecs=0

[program:reports]
command=sleep 1000
autostart=false

[program:resize]
command=${js(worker(40))}
startsecs=0
[program:mailer]
command=${js(worker(10))}
startsecs=0
[group:jobs]
programs=mailer,resize

[program:w1]
command=sleep 1000
startsecs=0
[program:w2]
command=sleep 1000
startsecs=0
[group:web]
programs=w1,w2

; workers that never accept: each connection the script opens waits in the accept queue
[fcgi-program:php]
socket=tcp://127.0.0.1:${fcgiPort}
socket_backlog=16
command=sleep 1000
process_name=%(program_name)s_%(process_num)02d
numprocs=2
startsecs=0
`;

const d = await h.startDaemon(conf, { readyTimeoutMs: 60_000 });
const clients = [];
let browser = null;
let page = null;
try {
  for (const name of ['api', 'cache', 'jobs:mailer', 'jobs:resize', 'web:w1', 'web:w2']) await d.waitState(name, 'RUNNING');
  ({ page, browser } = await openPage('about:blank', join(d.dir, 'chromium')));
  await page.send('Emulation.setDeviceMetricsOverride', { width: 1100, height: 400, deviceScaleFactor: 1, mobile: false });
  await page.send('Page.navigate', { url: `http://127.0.0.1:${port}/` });
  await h.waitFor('the live page', async () => (await page.evaluate(`document.querySelector('#conn')?.textContent ?? ''`)) === 'live', 20_000);
  await page.evaluate(`document.querySelector('tr[data-name="api"] a[href^="tail.html"]').click()`);

  // the accept queue climbs by one connection every five seconds
  const ticker = setInterval(() => clients.push(net.connect(fcgiPort, '127.0.0.1').on('error', () => {})), 5000);
  const points = (name) => page.evaluate(`(document.querySelector('tr[data-name="${name}"] td.cpu polyline')?.getAttribute('points') ?? '').split(' ').filter(Boolean).length`);
  await h.waitFor(`${SAMPLES} readings in the charts`, async () => (await points('api')) >= SAMPLES, (SAMPLES + 30) * 1000, 500);
  clearInterval(ticker);

  const height = await page.evaluate(`Math.ceil(document.documentElement.scrollHeight)`);
  await page.send('Emulation.setDeviceMetricsOverride', { width: 1100, height, deviceScaleFactor: 1, mobile: false });
  const shot = await page.send('Page.captureScreenshot', { format: 'png' });
  writeFileSync(out, Buffer.from(shot.data, 'base64'));
  console.log(`${out}: ${SAMPLES} readings per chart, 1100x${height}`);
} finally {
  for (const c of clients) c.destroy();
  page?.close();
  browser?.kill('SIGKILL');
  await d.stop();
}

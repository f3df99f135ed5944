/**
 * The live web page in a real browser: Debian's chromium headless, driven over the DevTools
 * protocol (test/harness/cdp.ts), with the page's HTTP Basic credentials sent as a header. The
 * page shows every process and goes live (/events); a Stop clicked in the page changes the row
 * without a reload; a process killed from outside shows its new pid within a second. Over plain
 * HTTP: /events needs the credentials, and an action from another site is refused (403) while
 * one without browser headers (a script) still works.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { join } from 'node:path';
import * as h from './harness.js';
import { chromiumBin, openPage } from './harness/cdp.js';

function get(port: number, path: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, headers, timeout: 10_000 }, (res) => {
      resolve(res.statusCode ?? 0);
      res.destroy();
    });
    req.on('error', reject);
  });
}

const AUTH = `Basic ${Buffer.from('admin:secret').toString('base64')}`;

test('web page live in chromium: every process, stop in place, a new pid within a second', { timeout: 120_000, skip: chromiumBin ? false : 'chromium is not installed (scripts/setup.sh)' }, async () => {
  const port = await h.freePort();
  const conf = `
[inet_http_server]
port=127.0.0.1:${port}
username=admin
password=secret

[program:web]
command=sh -c 'echo hello from web; exec sleep 1000'
startsecs=0

[program:other]
command=sleep 1000
startsecs=0
autorestart=true

[program:a]
command=sleep 1000
startsecs=0
[program:b]
command=sleep 1000
startsecs=0
[group:pool]
programs=a,b
`;
  await h.withDaemon(conf, async (d) => {
    await d.waitState('web', 'RUNNING');
    await d.waitState('other', 'RUNNING');
    // credentials and cross-site actions, over plain HTTP
    assert.equal(await get(port, '/events', {}), 401);
    assert.equal(await get(port, '/index.html?processname=web&action=stop', { Authorization: AUTH, Origin: 'http://evil.example' }), 403);
    assert.equal(await get(port, '/index.html?processname=web&action=stop', { Authorization: AUTH, 'Sec-Fetch-Site': 'cross-site' }), 403);
    assert.equal((await d.status('web'))[0]!.state, 'RUNNING');

    const { page, browser } = await openPage('about:blank', join(d.dir, 'chromium'));
    try {
      await page.send('Network.enable');
      await page.send('Network.setExtraHTTPHeaders', { headers: { Authorization: AUTH } });
      await page.send('Page.navigate', { url: `http://127.0.0.1:${port}/` });
      const names = () => page.evaluate<string[]>(`[...document.querySelectorAll('tbody tr[data-name]')].map((r) => r.dataset.name)`);
      await h.waitFor('the live page', async () => (await page.evaluate<string>(`document.querySelector('#conn')?.textContent ?? ''`)) === 'live', 20_000);
      assert.deepEqual(await names(), ['other', 'pool:a', 'pool:b', 'web']);
      await h.waitFor('a memory figure', async () => /\d(K|M)/.test(await page.evaluate<string>(`document.querySelector('tr[data-name="web"] td.mem').textContent`)), 10_000);

      // the uptime advances with no state change (at each stats message), as supervisor's would on a refresh
      const uptimeOf = () => page.evaluate<string>(`/uptime (\\S+)/.exec(document.querySelector('tr[data-name="pool:a"] td:nth-child(2)').textContent)?.[1] ?? ''`);
      const firstUptime = await uptimeOf();
      assert.match(firstUptime, /^\d+:\d\d:\d\d$/);
      await h.waitFor('the uptime ticking', async () => (await uptimeOf()) !== firstUptime, 5_000);

      // a Stop clicked in the page: the row changes, the page is not reloaded
      await page.evaluate(`window.notReloaded = true; document.querySelector('tr[data-name="web"] a[name="Stop"]').click()`);
      await h.waitFor('web stopped in the page', async () => (await page.evaluate<string>(`document.querySelector('tr[data-name="web"] td.status').textContent`)) === 'stopped', 10_000);
      assert.equal(await page.evaluate<boolean>('window.notReloaded === true'), true, 'no reload');
      assert.equal((await d.status('web'))[0]!.state, 'STOPPED');

      // killed from outside: the new pid is on the page within a second
      const old = (await d.status('other'))[0]!.pid!;
      const killedAt = Date.now();
      h.killPid(old);
      const seen = await h.waitFor('the new pid in the page', async () => {
        const text = await page.evaluate<string>(`document.querySelector('tr[data-name="other"] td:nth-child(2)').textContent`);
        const pid = Number(/pid (\d+)/.exec(text)?.[1] ?? 0);
        return pid > 0 && pid !== old && pid;
      }, 10_000, 20);
      const elapsed = Date.now() - killedAt;
      assert.equal((await d.status('other'))[0]!.pid, seen);
      assert.ok(elapsed < 1000, `new pid shown after ${elapsed} ms`);
      assert.equal(await page.evaluate<boolean>('window.notReloaded === true'), true, 'no reload');
    } finally {
      page.close();
      browser.kill('SIGKILL');
    }
    // a script's action link (no browser headers) still works as supervisord's
    assert.equal(await get(port, '/index.html?processname=web&action=start', { Authorization: AUTH }), 301);
  });
});

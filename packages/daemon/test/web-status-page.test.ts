/** web/status-page.ts: the status page's rows, actions and escaping; ctime and quote as Python's. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ProcessInfo } from '@tsupervisor/protocol';
import { ctime, namespecOf, pyQuote, renderStatusPage, renderTailPage } from '../src/web/status-page.js';

function info(name: string, group: string, statename: ProcessInfo['statename'], description: string): ProcessInfo {
  return { name, group, statename, description } as ProcessInfo;
}

describe('web status page', () => {
  it('one row per process sorted by namespec, actions by state, as supervisor web.py', () => {
    const html = renderStatusPage(
      [info('web', 'web', 'RUNNING', 'pid 42, uptime 0:00:05'), info('b', 'g', 'FATAL', 'Exited too quickly'), info('a', 'g', 'STARTING', '')],
      null,
      new Date(2026, 10, 27),
    );
    const rows = html.split('<tr class=').slice(1);
    assert.deepEqual(rows.map((r) => /processname=([^"&]+)" target/.exec(r)?.[1]), ['g%3Aa', 'g%3Ab', 'web']);
    assert.match(rows[0]!, /<span class="statusnominal">starting<\/span>/);
    assert.doesNotMatch(rows[0]!, /action=start"|action=stop"/, 'STARTING: neither start nor stop');
    assert.match(rows[1]!, /<span class="statuserror">fatal<\/span>/);
    assert.match(rows[1]!, /action=start" name="Start"/);
    assert.match(rows[2]!, /<span class="statusrunning">running<\/span>/);
    assert.match(rows[2]!, /action=restart" name="Restart".*action=stop" name="Stop".*action=clearlog".*logtail\/web".*logtail\/web\/stderr"/s);
    assert.match(rows[2]!, /pid 42, uptime 0:00:05/);
    assert.ok(rows[1]!.startsWith('"shade"'), 'every other row shaded');
  });

  it('escapes names, descriptions, messages and log text', () => {
    const html = renderStatusPage([info('x', 'x', 'EXITED', '<script>alert(1)</script>')], 'Process "<b>" stopped', new Date());
    assert.ok(!html.includes('<script>'));
    assert.match(html, /&#60;script&#62;alert\(1\)&#60;\/script&#62;/);
    assert.match(html, /<div class="status_msg">Process &#34;&#60;b&#62;&#34; stopped<\/div>/);
    assert.match(renderTailPage('a&b', '</pre><img>'), /<pre>&#60;\/pre&#62;&#60;img&#62;<\/pre>/);
  });

  it('namespec, time.ctime and urllib.parse.quote as supervisor uses them', () => {
    assert.equal(namespecOf({ name: 'web', group: 'web' }), 'web');
    assert.equal(namespecOf({ name: 'a', group: 'g' }), 'g:a');
    assert.equal(ctime(new Date(2026, 10, 7, 1, 2, 3)), 'Sat Nov  7 01:02:03 2026');
    assert.equal(pyQuote('ERROR: Process g:a (x)/y!'), 'ERROR%3A%20Process%20g%3Aa%20%28x%29/y%21');
  });
});

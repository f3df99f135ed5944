/**
 * docs/grafana-dashboard.json queries only what tsupervisord exposes: every metric name in its
 * panel and variable expressions is a series of a running daemon's /metrics (a daemon with a
 * program, an fcgi socket and RPC traffic, so that every family has samples), and every
 * selector `name{…}` names a tsupervisor_ metric. A renamed metric fails here. The panels'
 * expressions are valid PromQL: `promtool check rules` parses them as recording rules.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as h from './harness.js';
import { get, havePromtool } from './metrics-helpers.js';

/** Every PromQL expression of a dashboard: panel targets (rows' nested panels too) and query variables. */
function expressions(dash: any): string[] {
  const out: string[] = [];
  const panels = (ps: any[]): void => {
    for (const p of ps ?? []) {
      for (const t of p.targets ?? []) if (typeof t.expr === 'string') out.push(t.expr);
      panels(p.panels);
    }
  };
  panels(dash.panels);
  for (const v of dash.templating?.list ?? []) {
    const q = typeof v.query === 'string' ? v.query : v.query?.query;
    if (v.type === 'query' && typeof q === 'string') out.push(q);
  }
  return out;
}

test('docs/grafana-dashboard.json: every metric name in its queries is exposed by a running daemon', { timeout: 60_000 }, async () => {
  const dash = JSON.parse(readFileSync(join(h.repoRoot, 'docs', 'grafana-dashboard.json'), 'utf8'));
  assert.ok(dash.title && Array.isArray(dash.panels) && dash.panels.length > 0, 'a dashboard with panels');
  assert.ok(dash.__inputs?.some((i: any) => i.pluginId === 'prometheus'), 'asks for a Prometheus data source on import');
  const exprs = expressions(dash);
  assert.ok(exprs.length >= 10, `${exprs.length} expressions`);
  const used = new Set(exprs.flatMap((e) => [...e.matchAll(/\btsupervisor_[a-z0-9_]+/g)].map((m) => m[0])));
  for (const e of exprs) {
    assert.ok(/\btsupervisor_/.test(e), `queries a tsupervisor metric: ${e}`);
    for (const m of e.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\{/g)) assert.match(m[1]!, /^tsupervisor_/, `a selector of another exporter's metric in: ${e}`);
  }

  const d = await h.startDaemon(`
[program:app]
command=sh -c 'echo hello; exec sleep 1000'

[fcgi-program:pool]
socket=unix://@TMP@/pool.sock
command=sleep 1000
numprocs=1
`);
  try {
    await d.waitState('app', 'RUNNING');
    await d.waitState('pool', 'RUNNING');
    const r = await get({ socketPath: join(d.dir, 'supervisor.sock') }, '/metrics');
    assert.equal(r.status, 200);
    const exposed = new Set(r.body.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(l)![0]));
    const missing = [...used].filter((n) => !exposed.has(n));
    assert.deepEqual(missing, [], `names the daemon does not expose (it does: ${[...exposed].sort().join(', ')})`);
  } catch (e) {
    (e as Error).message += `\n${d.logs().slice(-3000)}`;
    throw e;
  } finally {
    await d.stop();
  }
});

test('docs/grafana-dashboard.json: the panels\' expressions are valid PromQL (promtool check rules)', { skip: !havePromtool && 'no promtool', timeout: 30_000 }, () => {
  const dash = JSON.parse(readFileSync(join(h.repoRoot, 'docs', 'grafana-dashboard.json'), 'utf8'));
  // label_values(…) of the variables is Grafana's, not PromQL: panels only; $var becomes a regex.
  const exprs = expressions({ panels: dash.panels }).map((e) => e.replace(/\$\w+/g, '.*'));
  const tmp = h.makeTmpDir('tsv-grafana-');
  try {
    const file = join(tmp.path, 'rules.yml');
    const rules = exprs.map((e, i) => `      - record: dashboard:expr${i}\n        expr: ${JSON.stringify(e)}`).join('\n');
    writeFileSync(file, `groups:\n  - name: dashboard\n    rules:\n${rules}\n`);
    const r = spawnSync('promtool', ['check', 'rules', file], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, new RegExp(`SUCCESS: ${exprs.length} rules found`));
  } finally {
    tmp.remove();
  }
});

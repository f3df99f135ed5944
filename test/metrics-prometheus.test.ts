/**
 * A real Prometheus server (Debian's prometheus package, started here on loopback with a 1 s
 * scrape interval and its own temp storage) scrapes the daemon's /metrics on [inet_http_server]
 * with credentials; the test reads Prometheus' HTTP API and sees the target up and a killed
 * worker's restart counted (tsupervisor_process_spawns_total goes from 1 to 2).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as h from './harness.js';
import { get, havePrometheus } from './metrics-helpers.js';

/** The value of the first series of an instant query, or undefined while there is none. */
async function query(port: number, promql: string): Promise<number | undefined> {
  const r = await get({ port }, `/api/v1/query?query=${encodeURIComponent(promql)}`);
  if (r.status !== 200) return undefined;
  const result = (JSON.parse(r.body) as { data: { result: Array<{ value: [number, string] }> } }).data.result;
  return result.length > 0 ? Number(result[0]!.value[1]) : undefined;
}

test('Prometheus scrapes the daemon and counts a killed worker restart', { timeout: 180_000 }, async (t) => {
  if (!havePrometheus) return t.skip('prometheus not installed (apt-get install prometheus)');
  const port = await h.freePort();
  const conf = `
[inet_http_server]
port=127.0.0.1:${port}
username=admin
password=secret

[program:worker]
command=sleep 1000
startsecs=0
`;
  await h.withDaemon(conf, async (d) => {
    const row = await d.waitState('worker', 'RUNNING');
    const promPort = await h.freePort();
    const config = join(d.dir, 'prometheus.yml');
    writeFileSync(
      config,
      `global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: tsupervisor
    basic_auth:
      username: admin
      password: secret
    static_configs:
      - targets: ['127.0.0.1:${port}']
`,
    );
    const prom = spawn('prometheus', [`--config.file=${config}`, `--storage.tsdb.path=${join(d.dir, 'tsdb')}`, `--web.listen-address=127.0.0.1:${promPort}`], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let log = '';
    prom.stderr.on('data', (c) => (log = (log + c).slice(-4000)));
    try {
      const spawns = `tsupervisor_process_spawns_total{job="tsupervisor",name="worker"}`;
      await h.waitFor('Prometheus to scrape the daemon', () => query(promPort, spawns).catch(() => undefined), 60_000, 250).catch((err) => {
        throw new Error(`${(err as Error).message}\n${log}`);
      });
      assert.equal(await query(promPort, spawns), 1);
      assert.equal(await query(promPort, 'up{job="tsupervisor"}'), 1);
      process.kill(row.pid!, 'SIGKILL');
      await d.waitState('worker', 'RUNNING');
      const restarted = await h.waitFor('the restart in Prometheus', async () => ((await query(promPort, spawns)) === 2 ? 2 : undefined), 30_000, 250);
      assert.equal(restarted, 2);
      const unexpected = `tsupervisor_process_exits_total{job="tsupervisor",name="worker",expected="false"}`;
      assert.equal(await h.waitFor('the exit in Prometheus', async () => ((await query(promPort, unexpected)) === 1 ? 1 : undefined), 30_000, 250), 1);
    } finally {
      prom.kill('SIGKILL');
    }
  });
});

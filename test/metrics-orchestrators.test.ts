/**
 * The recipes of docs/orchestrators.md, read from the page and run against a real daemon:
 * - the Kubernetes pod spec's httpGet probes (startup, liveness, readiness) and the exec probes
 *   answer as the spec expects: liveness passes whenever the daemon answers, readiness fails
 *   while a program is not ready and passes once it is; both fail once the daemon is gone;
 * - the systemd drop-in (Type=notify) with packaging/tsupervisord.service passes
 *   `systemd-analyze verify` without a warning.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as h from './harness.js';
import { codeBlock } from './recipes-helpers.js';

const PAGE = 'docs/orchestrators.md';

interface Probe {
  kind: 'startupProbe' | 'livenessProbe' | 'readinessProbe';
  path?: string;
  command?: string[];
}

/** The probes of a pod spec snippet: `xProbe:` then its `httpGet: { path: … }` or `exec: { command: [...] }` line. */
function probes(yaml: string): Probe[] {
  const out: Probe[] = [];
  for (const m of yaml.matchAll(/^\s*(startupProbe|livenessProbe|readinessProbe):.*\n\s*(httpGet|exec): \{ (?:path: (\S+),.*|command: (\[.*\]) )\}/gm)) {
    const kind = m[1] as Probe['kind'];
    out.push(m[2] === 'httpGet' ? { kind, path: m[3]! } : { kind, command: JSON.parse(m[4]!) as string[] });
  }
  return out;
}

test('docs/orchestrators.md: the pod spec\'s httpGet and exec probes answer as the spec expects', { timeout: 90_000 }, async () => {
  const http = probes(codeBlock(PAGE, 'k8s-pod.yaml'));
  const exec = probes(codeBlock(PAGE, 'k8s-exec-probes.yaml'));
  assert.deepEqual(http.map((p) => `${p.kind} ${p.path}`), ['startupProbe /readyz', 'livenessProbe /healthz', 'readinessProbe /readyz']);
  assert.deepEqual(exec.map((p) => p.kind), ['livenessProbe', 'readinessProbe']);
  assert.match(codeBlock(PAGE, 'k8s-pod.yaml'), /containerPort: 9001/);

  const port = await h.freePort();
  const d = await h.startDaemon(`
[inet_http_server]
port=127.0.0.1:${port}

[program:app]
command=sleep 1000
ready=exec:test -e @TMP@/up
`);
  const { ctlCmd } = h.resolveCommands();
  /** What the kubelet sees: an httpGet probe succeeds on 200..399 (no redirects here). */
  const httpGet = async (p: Probe) => {
    try {
      const r = await fetch(`http://127.0.0.1:${port}${p.path}`, { signal: AbortSignal.timeout(5000) });
      return r.status >= 200 && r.status < 400;
    } catch {
      return false;
    }
  };
  /** An exec probe succeeds on exit 0; the image's paths are the temp dir's here. */
  const run = async (p: Probe) => {
    const [cmd, ...args] = p.command!.map((a) =>
      a === 'tsupervisorctl' ? ctlCmd : a.replace('/etc/supervisor/supervisord.conf', d.conf).replace('/run/supervisor.sock', join(d.dir, 'supervisor.sock')),
    );
    return (await h.runCmd(cmd!, args, { timeoutMs: 10_000 })).code === 0;
  };
  const all = async () => ({
    http: Object.fromEntries(await Promise.all(http.map(async (p) => [p.kind, await httpGet(p)]))),
    exec: Object.fromEntries(await Promise.all(exec.map(async (p) => [p.kind, await run(p)]))),
  });
  try {
    await d.waitState('app', 'STARTING');
    assert.deepEqual(await all(), {
      http: { startupProbe: false, livenessProbe: true, readinessProbe: false },
      exec: { livenessProbe: true, readinessProbe: false },
    }, 'app is not ready yet: alive, not ready');

    writeFileSync(join(d.dir, 'up'), '');
    await d.waitState('app', 'RUNNING');
    assert.deepEqual(await all(), {
      http: { startupProbe: true, livenessProbe: true, readinessProbe: true },
      exec: { livenessProbe: true, readinessProbe: true },
    }, 'app is ready');

    await d.ctl(['stop', 'app']);
    assert.deepEqual((await all()).http, { startupProbe: false, livenessProbe: true, readinessProbe: false }, 'an autostart program stopped: not ready');

    const pid1 = d.pid;
    h.killPid(pid1, 'SIGKILL');
    await h.waitFor('the daemon to die', () => d.exitStatus(), 5000);
    assert.deepEqual(await all(), {
      http: { startupProbe: false, livenessProbe: false, readinessProbe: false },
      exec: { livenessProbe: false, readinessProbe: false },
    }, 'the daemon is gone: every probe fails');
  } catch (e) {
    (e as Error).message += `\n${d.logs().slice(-3000)}`;
    throw e;
  } finally {
    await d.stop();
  }
});

const haveAnalyze = spawnSync('systemd-analyze', ['--version'], { stdio: 'ignore' }).status === 0;

test('docs/orchestrators.md: the systemd drop-in (Type=notify) and packaging/tsupervisord.service verify cleanly', { skip: !haveAnalyze && 'no systemd-analyze', timeout: 30_000 }, () => {
  const dropIn = codeBlock(PAGE, 'systemd-notify.conf');
  assert.match(dropIn, /^Type=notify$/m);
  const tmp = h.makeTmpDir('tsv-unit-');
  try {
    // verify checks that ExecStart's binaries exist: point the unit at this checkout's.
    const unit = readFileSync(join(h.repoRoot, 'packaging', 'tsupervisord.service'), 'utf8').replaceAll('/usr/local/bin/', `${h.repoRoot}/node_modules/.bin/`);
    assert.match(unit, /^ExecReload=\S+tsupervisorctl .* reload$/m);
    writeFileSync(join(tmp.path, 'tsupervisord.service'), unit);
    mkdirSync(join(tmp.path, 'tsupervisord.service.d'));
    writeFileSync(join(tmp.path, 'tsupervisord.service.d', 'notify.conf'), dropIn);
    const r = spawnSync('systemd-analyze', ['verify', '--man=no', './tsupervisord.service'], { cwd: tmp.path, encoding: 'utf8', timeout: 20_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr.trim(), '', 'no warning about the unit or the drop-in');
  } finally {
    tmp.remove();
  }
});

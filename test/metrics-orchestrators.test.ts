/**
 * The recipes of docs/orchestrators.md, read from the page and run against a real daemon:
 * - the Kubernetes pod spec's httpGet probes (startup, liveness, readiness), the exec probes and
 *   the Docker HEALTHCHECK's command, run as written (`tsupervisorctl … wait app --timeout 3`),
 *   answer as the spec expects: liveness passes whenever the daemon answers, readiness fails
 *   while a program is not ready (wait exits 124) or stopped and passes once it is (0), a
 *   program with autostart=false not counted; all fail once the daemon is killed (wait exits 4:
 *   its socket file refuses);
 *   the exit codes are those the page's table gives, and wait's --timeout fits the probe's;
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
  kind: 'startupProbe' | 'livenessProbe' | 'readinessProbe' | 'healthcheck';
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

/** The Docker HEALTHCHECK recipe's `CMD [...]` (exec form), with its --timeout. */
function healthcheck(dockerfile: string): { probe: Probe; timeout: number } {
  const m = /^HEALTHCHECK .*--timeout=(\d+)s.*\\\n\s*CMD (\[.*\])$/m.exec(dockerfile);
  assert.ok(m, `a HEALTHCHECK … CMD [...] in\n${dockerfile}`);
  return { probe: { kind: 'healthcheck', command: JSON.parse(m[2]!) as string[] }, timeout: Number(m[1]) };
}

/** `wait`'s --timeout in a probe's command must end before the probe's own timeout. */
function waitFits(command: string[], probeTimeout: number): void {
  const at = command.indexOf('--timeout');
  assert.ok(command.includes('wait') && at > 0, `a bounded wait: ${command.join(' ')}`);
  assert.ok(Number(command[at + 1]) < probeTimeout, `wait --timeout ${command[at + 1]} < the probe's ${probeTimeout} s`);
}

/** The exit codes the page's table gives for wait (`| 124 | … |`). */
function documentedExits(): Set<number> {
  const md = readFileSync(join(h.repoRoot, PAGE), 'utf8');
  return new Set([...md.matchAll(/^\| (\d+) \| .* \| (?:not )?ready \|$/gm)].map((m) => Number(m[1])));
}

test('docs/orchestrators.md: the pod spec\'s httpGet and exec probes and the HEALTHCHECK answer as the spec expects', { timeout: 90_000 }, async () => {
  const http = probes(codeBlock(PAGE, 'k8s-pod.yaml'));
  const execYaml = codeBlock(PAGE, 'k8s-exec-probes.yaml');
  const docker = healthcheck(codeBlock(PAGE, 'docker-healthcheck'));
  const exec = [...probes(execYaml), docker.probe];
  assert.deepEqual(http.map((p) => `${p.kind} ${p.path}`), ['startupProbe /readyz', 'livenessProbe /healthz', 'readinessProbe /readyz']);
  assert.deepEqual(exec.map((p) => p.kind), ['livenessProbe', 'readinessProbe', 'healthcheck']);
  assert.match(codeBlock(PAGE, 'k8s-pod.yaml'), /containerPort: 9001/);
  assert.ok(!exec.some((p) => p.command!.includes('curl')), 'the exec probes use tsupervisorctl');
  waitFits(exec[1]!.command!, Number(/readinessProbe:[\s\S]*timeoutSeconds: (\d+)/.exec(execYaml)?.[1]));
  waitFits(docker.probe.command!, docker.timeout);
  const exits = documentedExits();

  const port = await h.freePort();
  const d = await h.startDaemon(`
[inet_http_server]
port=127.0.0.1:${port}

[program:app]
command=sleep 1000
ready=exec:test -e @TMP@/up

[program:manual]
command=sleep 1000
autostart=false
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
  /** An exec probe's exit status (success is 0); the image's paths are the temp dir's here. */
  const exitOf = async (p: Probe) => {
    const [cmd, ...args] = p.command!.map((a) =>
      a === 'tsupervisorctl' ? ctlCmd : a.replace('/etc/supervisor/supervisord.conf', d.conf).replace('/run/supervisor.sock', join(d.dir, 'supervisor.sock')),
    );
    const code = (await h.runCmd(cmd!, args, { timeoutMs: 10_000 })).code;
    assert.ok(code === 0 || p.kind === 'livenessProbe' || exits.has(code!), `${p.command!.join(' ')} exited ${code}, not in the page's table`);
    return code;
  };
  const waitExits: number[] = [];
  const run = async (p: Probe) => {
    const code = await exitOf(p);
    if (p.kind !== 'livenessProbe') waitExits.push(code!);
    return code === 0;
  };
  const all = async () => ({
    http: Object.fromEntries(await Promise.all(http.map(async (p) => [p.kind, await httpGet(p)]))),
    exec: Object.fromEntries(await Promise.all(exec.map(async (p) => [p.kind, await run(p)]))),
  });
  /** wait's exit statuses of the last all(): the readiness probe's and the HEALTHCHECK's. */
  const lastWaits = () => waitExits.splice(0);
  try {
    await d.waitState('app', 'STARTING');
    assert.deepEqual(await all(), {
      http: { startupProbe: false, livenessProbe: true, readinessProbe: false },
      exec: { livenessProbe: true, readinessProbe: false, healthcheck: false },
    }, 'app is not ready yet: alive, not ready');
    assert.deepEqual(lastWaits(), [124, 124], 'not ready within --timeout');

    writeFileSync(join(d.dir, 'up'), '');
    await d.waitState('app', 'RUNNING');
    assert.deepEqual(await all(), {
      http: { startupProbe: true, livenessProbe: true, readinessProbe: true },
      exec: { livenessProbe: true, readinessProbe: true, healthcheck: true },
    }, 'app is ready (manual, autostart=false and stopped, counts for neither /readyz nor wait app)');
    assert.deepEqual(lastWaits(), [0, 0]);

    await d.ctl(['stop', 'app']);
    assert.deepEqual(await all(), {
      http: { startupProbe: false, livenessProbe: true, readinessProbe: false },
      exec: { livenessProbe: true, readinessProbe: false, healthcheck: false },
    }, 'an autostart program stopped: not ready');
    assert.deepEqual(lastWaits(), [124, 124]);

    const pid1 = d.pid;
    h.killPid(pid1, 'SIGKILL');
    await h.waitFor('the daemon to die', () => d.exitStatus(), 5000);
    assert.deepEqual(await all(), {
      http: { startupProbe: false, livenessProbe: false, readinessProbe: false },
      exec: { livenessProbe: false, readinessProbe: false, healthcheck: false },
    }, 'the daemon is gone: every probe fails');
    assert.deepEqual(lastWaits(), [4, 4], 'the killed daemon\'s socket refuses');
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

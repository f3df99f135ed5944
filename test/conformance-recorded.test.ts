/**
 * Differential cases in test/conformance/<name>/ (supervisord.conf.in, steps, expected), recorded
 * from Debian's supervisor 4.2.5 with the shared runner and replayed here against tsupervisord
 * and tsupervisorctl: same stdout, stderr and exit code for every ctl step.
 *
 * Re-record one against the real supervisor (from /work/shared/conformance):
 *   CASES=$(realpath --relative-to=. /work/main/test/conformance) RECORD=1 ./run.sh NAME
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, test } from 'node:test';
import { repoRoot } from './harness/paths.js';

const RUNNER = '/work/shared/conformance/run.sh';
const casesDir = join(repoRoot, 'test', 'conformance');
const daemonBin = join(repoRoot, 'packages', 'daemon', 'bin', 'tsupervisord.js');
const ctlBin = join(repoRoot, 'packages', 'ctl', 'bin', 'tsupervisorctl.cjs');
const cases = existsSync(casesDir)
  ? readdirSync(casesDir).filter((n) => statSync(join(casesDir, n)).isDirectory()).sort()
  : [];
const skip = !existsSync(RUNNER) ? 'no conformance runner' : !existsSync(daemonBin) ? 'not built' : false;

function runCase(name: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', [RUNNER, name], {
      env: {
        ...process.env,
        CASES: relative(join(RUNNER, '..'), casesDir),
        DAEMON: `${process.execPath} ${daemonBin}`,
        CTL: `${process.execPath} ${ctlBin}`,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('close', (code) => resolve({ code, output }));
  });
}

describe('conformance cases recorded from supervisor 4.2.5 (test/conformance)', { skip, concurrency: 3 }, () => {
  for (const name of cases) {
    test(name, { timeout: 300_000 }, async () => {
      const { code, output } = await runCase(name);
      assert.equal(code, 0, output);
    });
  }
});

/**
 * Differential cases recorded from Debian's supervisor 4.2.5, replayed against tsupervisord and
 * tsupervisorctl through the repository's own runner (test/harness/conformance): same stdout,
 * stderr and exit code for every ctl step. Two folders of cases: test/conformance (daemon and
 * ctl behaviour) and packages/ctl/test/conformance (ctl argument handling and output).
 *
 * Replay or re-record one case from the shell (docs/conformance.md):
 *   node scripts/conformance.mjs run NAME        # against tsupervisor
 *   node scripts/conformance.mjs record NAME     # against supervisord/supervisorctl 4.2.5
 *
 * Nothing is skipped: missing tools or a missing build fail the first test with the reason.
 */
import assert from 'node:assert/strict';
import { relative } from 'node:path';
import { describe, test } from 'node:test';
import { listCases } from './harness/conformance/case-format.js';
import { repoRoot } from './harness/paths.js';
import { caseFolders, missingPrerequisites, runCase, tsupervisorCommands } from './harness/conformance/runner.js';

const commands = tsupervisorCommands();
const missing = missingPrerequisites(commands);

test('the conformance runner can run here', () => {
  assert.deepEqual(missing, [], `cannot replay the recorded cases:\n  ${missing.join('\n  ')}`);
});

for (const casesDir of caseFolders) {
  const cases = listCases(casesDir);
  describe(`cases recorded from supervisor 4.2.5 in ${relative(repoRoot, casesDir)}`, { concurrency: 3 }, () => {
    test('the folder holds recorded cases', () => assert.ok(cases.length > 0, `no case in ${casesDir}`));
    for (const name of cases) {
      test(name, { timeout: 300_000 }, async (t) => {
        assert.deepEqual(missing, [], missing.join('\n'));
        const r = await runCase({ casesDir, name, ...commands, signal: t.signal });
        assert.ok(r.passed, `case ${name} differs from its recording (${casesDir}/${name}/expected):\n${r.diff}`);
      });
    }
  });
}

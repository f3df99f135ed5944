/**
 * The ctl's V8 code cache (packages/ctl/bin/tsupervisorctl.cjs, written by scripts/bundle.mjs):
 * the build's cache is the bundle's and V8 takes it; a cache of another build (its id differs)
 * is not offered, and one V8 refuses (same id, garbage) leaves the ctl working as without it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as h from './harness.js';

const CTL = join(h.repoRoot, 'packages', 'ctl');

/** `version` through the bin in `root` (a copy of bin/ and dist/), with no server there: its answer and the cache report. */
async function version(root: string) {
  const r = await h.runCmd(process.execPath, [join(root, 'bin', 'tsupervisorctl.cjs'), '-s', 'unix:///nonexistent/x.sock', 'version'], {
    env: { ...process.env, TSUPERVISORCTL_CODE_CACHE: 'report' },
    timeoutMs: 10_000,
  });
  return { out: r.stdout, report: /^code cache: (\w+)$/m.exec(r.stderr)?.[1], code: r.code };
}

test('the ctl runs from its code cache; another build\'s or a refused one is compiled as without', async () => {
  const root = mkdtempSync(join(tmpdir(), 'tsv-cc-'));
  try {
    cpSync(join(CTL, 'bin'), join(root, 'bin'), { recursive: true });
    mkdirSync(join(root, 'dist'));
    for (const f of ['tsupervisorctl.cjs', 'tsupervisorctl.cjs.cache', 'tsupervisorctl-top.cjs']) copyFileSync(join(CTL, 'dist', f), join(root, 'dist', f));
    const used = await version(root);
    assert.equal(used.report, 'used', 'the build\'s cache is taken');
    assert.deepEqual([used.out, used.code], ['unix:///nonexistent/x.sock no such file\n', 7]);

    const cache = readFileSync(join(root, 'dist', 'tsupervisorctl.cjs.cache'));
    const nl = cache.indexOf(10);
    writeFileSync(join(root, 'dist', 'tsupervisorctl.cjs.cache'), Buffer.concat([Buffer.from('0123456789abcdef'), cache.subarray(nl)]));
    assert.deepEqual(await version(root), { ...used, report: 'none' }, 'another build\'s: not offered to V8');

    writeFileSync(join(root, 'dist', 'tsupervisorctl.cjs.cache'), Buffer.concat([cache.subarray(0, nl + 1), Buffer.alloc(4096, 7)]));
    assert.deepEqual(await version(root), { ...used, report: 'refused' }, 'garbage behind the right id: refused by V8, same answer');

    rmSync(join(root, 'dist', 'tsupervisorctl.cjs.cache'));
    assert.deepEqual(await version(root), { ...used, report: 'none' });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

/** What the reexec tests share: `tsupervisorctl reexec`, then the control socket answering again. */
import assert from 'node:assert/strict';
import * as h from './harness.js';

/** reexec, then wait until the control socket answers again; returns how long that took. */
export async function reexec(d: h.Daemon): Promise<number> {
  const before = (d.logs().match(/re-executed with pid/g) ?? []).length;
  const t0 = performance.now();
  const r = await d.ctl(['reexec']);
  assert.equal(r.stdout, 'Re-executing supervisord\n', `ctl reexec: ${r.stdout}${r.stderr}`);
  assert.equal(r.code, 0);
  await h.waitFor('the new image to start', () => (d.logs().match(/re-executed with pid/g) ?? []).length > before, 10_000);
  for (;;) {
    const s = await d.ctl(['pid']);
    if (s.code === 0) break;
    assert.ok(performance.now() - t0 < 10_000, `control socket not answering: ${s.stdout}${s.stderr}`);
    await new Promise((res) => setTimeout(res, 5));
  }
  return performance.now() - t0;
}

/**
 * One reconfiguration at a time: `update` and `restart --rolling` run one after the other, so
 * an update never rebuilds a group that a rolling restart is walking through.
 */
let tail: Promise<unknown> = Promise.resolve();

export function exclusive<T>(work: () => Promise<T>): Promise<T> {
  const run = tail.then(work, work);
  tail = run.catch(() => undefined);
  return run;
}

/**
 * One `healthcheck=` check at a time, with the readiness probes' own code (readiness/): tcp,
 * http and exec run one attempt of poll.ts bounded by healthcheck_timeout; log:REGEX passes
 * when a matching stdout line was written since the previous check (a heartbeat line), notify
 * when a WATCHDOG=1 arrived since then (systemd's watchdog keep-alive, through ready=notify's
 * socket).
 */
import type { HealthCheck } from '../config/types.js';
import { lineMatcher } from '../readiness/log.js';
import { attemptOf } from '../readiness/poll.js';

export interface HealthProbeHooks {
  /** The child's environment (exec: runs with it). */
  env: Record<string, string>;
  /** Each chunk the child writes to its stdout log; returns the unsubscribe. */
  watchOutput(fn: (chunk: Buffer) => void): () => void;
}

export interface HealthProbe {
  /** One check bounded by `ms`: null when it passed, else its answer. */
  run(ms: number): Promise<string | null>;
  /** sd_notify WATCHDOG=1 from the process. */
  watchdog(): void;
  /** No more checks: abort the one running, stop watching. */
  close(): void;
}

/** log: and notify: a sign of life since the last check. */
function sinceLastCheck(missing: string, watch: (seen: () => void) => () => void): HealthProbe {
  let seen = false;
  const unwatch = watch(() => {
    seen = true;
  });
  return {
    run: () => {
      const passed = seen;
      seen = false;
      return Promise.resolve(passed ? null : missing);
    },
    watchdog() {},
    close: unwatch,
  };
}

export function healthProbe(check: HealthCheck, hooks: HealthProbeHooks): HealthProbe {
  if (check.kind === 'notify') {
    let fed: (() => void) | null = null;
    const probe = sinceLastCheck('no WATCHDOG=1 since the last check', (seen) => {
      fed = seen;
      return () => {
        fed = null;
      };
    });
    return { ...probe, watchdog: () => fed?.() };
  }
  if (check.kind === 'log') {
    const matches = lineMatcher(check.pattern);
    return sinceLastCheck(`no stdout line matched /${check.pattern}/ since the last check`, (seen) =>
      hooks.watchOutput((chunk) => {
        if (matches(chunk)) seen();
      }),
    );
  }
  const attempt = attemptOf(check);
  const abort = new AbortController();
  return {
    run: (ms) => attempt(hooks.env, abort.signal, ms),
    watchdog() {},
    close: () => abort.abort(),
  };
}

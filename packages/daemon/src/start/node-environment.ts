/**
 * Variables node acts on at its own start that the daemon does not need, and that cost there:
 * NODE_EXTRA_CA_CERTS makes node read and parse the certificates before any code runs (80 ms
 * on this project's machines) and the daemon makes no TLS connection. Every node started for
 * the daemon itself (bin/tsupervisord's launcher, daemonize's background child, reexec's next
 * image and its preflight) gets each as CARRIED_PREFIX + its name instead, and the daemon puts
 * it back first thing (restoreNodeEnvironment), so its programs get it as before.
 */
export const STARTUP_ONLY_ENV: readonly string[] = ['NODE_EXTRA_CA_CERTS'];
/** Also spelled out in packages/daemon/bin/tsupervisord (the launcher). */
export const CARRIED_PREFIX = 'TSUPERVISORD_CARRIED_';

/** The environment for a node the daemon starts for itself, plus `extra`. */
export function nodeStartEnvironment(extra: Record<string, string>, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) continue;
    out[STARTUP_ONLY_ENV.includes(k) ? CARRIED_PREFIX + k : k] = v;
  }
  return { ...out, ...extra };
}

/** First thing at start: each carried variable back under its own name. */
export function restoreNodeEnvironment(env: NodeJS.ProcessEnv = process.env): void {
  for (const k of STARTUP_ONLY_ENV) {
    const carried = env[CARRIED_PREFIX + k];
    if (carried === undefined) continue;
    env[k] = carried;
    delete env[CARRIED_PREFIX + k];
  }
}

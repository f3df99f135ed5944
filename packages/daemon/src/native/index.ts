/**
 * The native layer of tsupervisord: a small C Node-API addon (listening sockets that libuv never
 * polls, rlimits, SO_PEERCRED, user/group lookup, pipes read by libuv, unix datagrams, spawning
 * without a fork and reaping, reexec) and the exec shim `tsv-exec` (setpgid, user, umask,
 * directory, parent-death signal and socket placement between spawn and exec). Both are built by
 * `native/build.mjs` at `pnpm install`; see native/README.md.
 *
 * One file per group of functions; this one re-exports them all. The addon is loaded lazily on
 * the first call (addon.ts), so importing this module never fails. Call ensureNative() at daemon
 * startup to fail early.
 */
import { existsSync } from 'node:fs';
import { native } from './addon.js';
import { buildOnce, notBuilt, SHIM_PATH } from './locate.js';

export type {
  ListenQueue,
  NativeError,
  NotifyHandle,
  NotifyListener,
  PasswdEntry,
  PeerCred,
  PipeFds,
  PipeHandle,
  PipeOwner,
  ProcUnits,
  ReapResult,
  Rlimit,
  RlimitResource,
  SockName,
} from './addon.js';
export { ADDON_PATH, NATIVE_BUILD_DIR, PACKAGE_ROOT, SHIM_PATH } from './locate.js';
export { SHIM_SOCKET_FD, shimArgs, type ShimSpec } from './shim.js';
export * from './sockets.js';
export * from './users.js';
export * from './pipes.js';
export * from './datagrams.js';
export * from './processes.js';

/** Loads the addon and checks the shim now, so that a daemon fails at startup rather than at the first spawn. */
export function ensureNative(): void {
  native();
  if (!existsSync(SHIM_PATH)) {
    const complaint = buildOnce();
    if (!existsSync(SHIM_PATH)) throw notBuilt(`exec shim (${SHIM_PATH})`, complaint ? new Error(complaint) : undefined);
  }
}

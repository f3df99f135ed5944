// The end-to-end harness: one import for tests (`import * as h from './harness.js'`).
export * from './harness/tmp.js';
export * from './harness/procs.js';
export * from './harness/paths.js';
export * from './harness/net.js';
export * from './harness/go-app.js';
export * from './harness/daemon.js';
export * from './harness/nginx.js';
export * from './harness/http.js';
export * from './harness/rpc.js';
export * from './harness/proc-stats.js';
export * from './harness/syslog.js';

/**
 * A process's description as supervisord computes it (rpcinterface._interpretProcessInfo): the
 * daemon sends it; the ctl applies the same rule, from @tsupervisor/protocol, to records that
 * lack it.
 */
export { describeProcess as describe, formatStopTime as formatStopDate, formatUptime } from '@tsupervisor/protocol';

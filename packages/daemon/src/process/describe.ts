/**
 * The `description` of getProcessInfo (supervisor's rpcinterface._interpretProcessInfo). The
 * rule lives in @tsupervisor/protocol, where the ctl uses it too; this names it for the daemon.
 */
export { describeProcess as describe, formatStopTime, formatUptime, type DescribeInput } from '@tsupervisor/protocol';

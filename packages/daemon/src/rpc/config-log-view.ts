/**
 * The two log paths of getAllConfigInfo as supervisord 4.2.5 answers them over XML-RPC, kept
 * beside the table's answer (which tsupervisorctl's JSON-RPC gets unchanged).
 *
 * supervisord answers from the configuration it read last (options.process_group_configs) and
 * fills an AUTO log's name into that configuration only when it adds a group from it
 * (create_autochildlogs). reloadConfig (reread, update) replaces those configurations, so until
 * a group is added again from the latest reading its AUTO logs read 'auto', even while its
 * processes run and write to their AUTO files; a group added since (update of a changed group,
 * add) has its paths. NONE, syslog and a redirected stderr are None there: 'none'.
 *
 * The view rides on each entry under a symbol key, which JSON.stringify leaves out.
 */
import type { ConfigInfo } from '@tsupervisor/protocol';
import type { LogTarget } from '../config/types.js';

export const SUPERVISOR_LOG_PATHS = Symbol('getAllConfigInfo log paths as supervisord answers them');

export type SupervisorLogPaths = Pick<ConfigInfo, 'stdout_logfile' | 'stderr_logfile'>;
export type ConfigInfoWithView = ConfigInfo & { [SUPERVISOR_LOG_PATHS]?: SupervisorLogPaths };

/**
 * supervisord's value for one log: `table` is the table's value (the live path, or the
 * configured one); `addedFromLatest` says whether the process's group was added (or updated)
 * from the configuration read last.
 */
export function supervisorLogPath(target: LogTarget, table: string, addedFromLatest: boolean): string {
  if (target.kind === 'none' || target.kind === 'syslog') return 'none';
  if (target.kind === 'auto' && !addedFromLatest) return 'auto';
  return table;
}

/** The table's entry with supervisord's view attached. */
export function withSupervisorLogPaths(
  info: ConfigInfo,
  logs: { stdout: LogTarget; stderr: LogTarget },
  addedFromLatest: boolean,
): ConfigInfoWithView {
  const view: SupervisorLogPaths = {
    stdout_logfile: supervisorLogPath(logs.stdout, info.stdout_logfile, addedFromLatest),
    stderr_logfile: supervisorLogPath(logs.stderr, info.stderr_logfile, addedFromLatest),
  };
  return Object.assign(info, { [SUPERVISOR_LOG_PATHS]: view });
}

/** An entry's log paths as supervisord answers them (the table's when no view is attached). */
export function supervisorLogPathsOf(info: ConfigInfo): SupervisorLogPaths | undefined {
  return (info as ConfigInfoWithView)[SUPERVISOR_LOG_PATHS];
}

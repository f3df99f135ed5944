/**
 * Start-up step before the main log opens: user= (supervisord's set_uid_or_exit, first: its
 * line is logged before the limits'), then minfds/minprocs. Returns the lines to log once the
 * main log is open; a refusal throws (PrivilegeError, LimitError).
 */
import { readUserDb } from '../config/index.js';
import type { SupervisordConfig } from '../config/types.js';
import { getrlimit, setrlimit } from '../native/index.js';
import { dropPrivileges } from '../privileges.js';
import { raiseLimits } from '../rlimits.js';

export function dropPrivilegesAndRaiseLimits(server: SupervisordConfig): string[] {
  const uidInfo = dropPrivileges(server.user, readUserDb());
  const limitInfos = raiseLimits(server.minfds, server.minprocs, { getrlimit, setrlimit });
  return uidInfo ? [uidInfo, ...limitInfos] : limitInfos;
}

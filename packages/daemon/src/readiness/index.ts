/** Readiness probes (issue 16's `ready=`): the setup of the one a process's check names. */
import type { ReadyCheck } from '../config/types.js';
import type { Logger } from '../logger.js';
import { fdSetup } from './fd.js';
import { logSetup } from './log.js';
import { notifySetup } from './notify.js';
import { pollSetup } from './poll.js';
import type { ProbeSetup } from './probe.js';

export type { GoOnReady, Probe, ProbeHooks, ProbeSetup } from './probe.js';

/** Throws what making a pipe throws (fd:N: EMFILE). */
export function setupProbe(check: ReadyCheck, logger: Logger): ProbeSetup {
  switch (check.kind) {
    case 'notify':
      return notifySetup(logger);
    case 'fd':
      return fdSetup(check.fd);
    case 'log':
      return logSetup(check.pattern);
    default:
      return pollSetup(check);
  }
}

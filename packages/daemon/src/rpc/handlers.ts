/** The complete handler object, typed from the one method table: a missing method won't compile. */
import type { Handlers } from '@tsupervisor/protocol';
import type { Connection } from '@tsupervisor/protocol/server';
import { adminHandlers } from './admin.js';
import { controlHandlers } from './process-control.js';
import { infoHandlers } from './info.js';
import { logHandlers } from './logs.js';
import { rollingHandlers } from './rolling.js';
import { statsHandlers } from './stats.js';
import type { DaemonServices } from './services.js';

export function createHandlers(services: DaemonServices): Handlers<Connection> {
  return {
    ...infoHandlers(services.supervisor),
    ...controlHandlers(services.supervisor),
    ...logHandlers(services),
    ...adminHandlers(services),
    ...rollingHandlers(services.supervisor),
    ...statsHandlers(services),
  };
}

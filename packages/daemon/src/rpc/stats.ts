/**
 * `tsupervisor.processStats` (the live views' CPU, memory, readiness and accept-queue figures).
 * The reading code is metrics/stats.ts, loaded on the first call: a daemon nobody watches never
 * loads it.
 */
import { Faults, RPCFault, type Handlers } from '@tsupervisor/protocol';
import type { Connection } from '@tsupervisor/protocol/server';
import type { DaemonServices } from './services.js';

type StatsHandlers = Pick<Handlers<Connection>, 'tsupervisor.processStats'>;

export function statsHandlers(services: DaemonServices): StatsHandlers {
  return {
    'tsupervisor.processStats': async () => {
      if (!services.metrics) throw new RPCFault(Faults.UNKNOWN_METHOD, 'tsupervisor.processStats: no metrics in this daemon');
      const { processStats } = await import('../metrics/stats.js');
      return processStats(services.metrics);
    },
  };
}

/**
 * Start-up step: build the supervisor and what listens to it, before any process exists: each
 * process's logs (files, the log bus for tail -f, events, the debug echo), the event system
 * and the counters for /metrics. Nothing starts here (startProcesses in main.ts does).
 */
import type { Config } from '../config/types.js';
import { EventSystem } from '../events/index.js';
import type { LogBus, MainLog } from '../logs/index.js';
import { MetricsRecorder } from '../metrics/recorder.js';
import { systemdNotifier, type SystemdNotifier } from '../readiness/systemd.js';
import { realOs } from '../os-seam.js';
import { ChildLogs, outputEcho, outputFollowed, outputName, type ChildLogShared } from '../process/child-logs.js';
import { Supervisor } from '../supervisor.js';

export interface Supervision {
  supervisor: Supervisor;
  events: EventSystem;
  metrics: MetricsRecorder;
  /** Under systemd (Type=notify): READY=1 once the autostart programs are ready, RELOADING=1, STOPPING=1. */
  systemd: SystemdNotifier | null;
}

export function buildSupervisor(config: Config, read: () => Config, logger: MainLog, bus: LogBus): Supervision {
  const echoOutput = logger.enabled('debug');
  bus.onFollowed = outputFollowed;
  // What every process's logs share: one object per configuration read.
  let shared: { config: Config; value: ChildLogShared } | null = null;
  const logShared = (cfg: Config): ChildLogShared => {
    if (shared?.config !== cfg) {
      shared = {
        config: cfg,
        value: {
          childlogdir: cfg.supervisord.childlogdir,
          identifier: cfg.supervisord.identifier,
          stripAnsi: cfg.supervisord.stripAnsi,
          logger,
          onData: (owner, channel, chunk) => {
            // the group it is in now: update may have moved it into or out of a [group:x]
            const { process: pc, group } = owner;
            bus.publish(outputName(owner), channel, chunk);
            events.logged(pc, group, channel, chunk);
            // an event listener's stdout is its protocol channel: supervisor does not echo it
            if (echoOutput && !(group.kind === 'eventlistener' && channel === 'stdout')) logger.debug(outputEcho(pc.name, channel, chunk));
          },
          // what onData does something with (else the bytes may go pipe → file in the kernel)
          wantsData: (owner, channel) =>
            echoOutput || events.wantsLogged(owner.process, owner.group, channel) || bus.hasFollowers(outputName(owner), channel),
        },
      };
    }
    return shared.value;
  };
  const supervisor: Supervisor = new Supervisor(config, {
    os: realOs,
    logger,
    readConfig: read,
    createOutput: (pc, group, cfg, owner) => {
      const logs = new ChildLogs(pc, group.kind === 'eventlistener', owner, logShared(cfg));
      const output = events.wrapOutput(owner, logs);
      metrics.trackLogs(output, logs);
      return output;
    },
  });
  const events = new EventSystem(supervisor, { logger, clock: realOs });
  // counters for /metrics (the collectors load with the HTTP side)
  const metrics = new MetricsRecorder(supervisor, events);
  const systemd = systemdNotifier(process.env, supervisor, logger);
  return { supervisor, events, metrics, systemd };
}

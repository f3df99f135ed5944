/**
 * The health checks of one process (tsupervisor's `healthcheck=`): a timer of its own (no
 * global polling tick) that runs one check every healthcheck_interval while the process is
 * RUNNING, keeps its health (verdict.ts) and asks for a restart once healthcheck_retries checks
 * failed in a row. The restart itself is the state machine's (transition.ts's `unhealthy`
 * event: stopsignal, SIGKILL after stopwaitsecs, then a new spawn).
 */
import type { HealthCheck, ProcessConfig } from '../config/types.js';
import type { Logger } from '../logger.js';
import { healthProbe, type HealthProbe } from './check.js';
import { recordCheck, restartReason, STARTING, type Health } from './verdict.js';

export interface HealthSettings {
  check: HealthCheck;
  /** Seconds. */
  interval: number;
  timeout: number;
  retries: number;
  startPeriod: number;
}

/** A process's health settings, null without `healthcheck=`. */
export function healthSettings(cfg: ProcessConfig): HealthSettings | null {
  if (!cfg.healthcheck) return null;
  return {
    check: cfg.healthcheck,
    interval: cfg.healthcheckInterval ?? 30,
    timeout: cfg.healthcheckTimeout ?? 5,
    retries: cfg.healthcheckRetries ?? 3,
    startPeriod: cfg.healthcheckStartPeriod ?? 0,
  };
}

const sameSettings = (a: HealthSettings | null, b: HealthSettings | null) => JSON.stringify(a) === JSON.stringify(b);

export interface HealthHost {
  name(): string;
  /** The process's environment (exec: checks run with it). */
  env(): Record<string, string>;
  watchOutput(fn: (chunk: Buffer) => void): () => void;
  logger: Logger;
  now(): number;
  setTimer(fn: () => void, ms: number): NodeJS.Timeout;
  clearTimer(timer: NodeJS.Timeout): void;
  /** The checks failed healthcheck_retries times in a row in spawn `generation`: restart it. */
  restart(generation: number, reason: string): void;
}

export class HealthMonitor {
  private health: Health | null = null;
  private probe: HealthProbe | null = null;
  private timer: NodeJS.Timeout | null = null;
  private generation = 0;
  /** When the process became RUNNING (ms since the epoch). */
  private since = 0;

  constructor(
    private settings: HealthSettings | null,
    private readonly host: HealthHost,
  ) {}

  /** null when the process has no health check or is not RUNNING. */
  get current(): Health | null {
    return this.health;
  }

  /** The process (spawn `generation`) became RUNNING: the first check comes one interval later. */
  start(generation: number, since = this.host.now()): void {
    this.stop();
    if (!this.settings) return;
    this.generation = generation;
    this.since = since;
    this.health = STARTING;
    this.probe = healthProbe(this.settings.check, { env: this.host.env(), watchOutput: this.host.watchOutput });
    this.schedule();
  }

  /** The process left RUNNING (or is gone). */
  stop(): void {
    if (this.timer) this.host.clearTimer(this.timer);
    this.timer = null;
    this.probe?.close();
    this.probe = null;
    this.health = null;
  }

  /** `update`: new settings, applied in place; a running check starts over with them. */
  reconfigure(settings: HealthSettings | null): void {
    if (sameSettings(settings, this.settings)) return;
    this.settings = settings;
    if (this.health) this.start(this.generation, this.since);
  }

  /** sd_notify WATCHDOG=1 from the process (healthcheck=notify). */
  watchdog(): void {
    this.probe?.watchdog();
  }

  private schedule(): void {
    this.timer = this.host.setTimer(() => void this.check(), this.settings!.interval * 1000);
  }

  private async check(): Promise<void> {
    this.timer = null;
    const probe = this.probe;
    const settings = this.settings;
    if (!probe || !settings) return;
    const answer = await probe.run(settings.timeout * 1000);
    if (this.probe !== probe || !this.health) return;
    const before = this.health;
    const { health, restart } = recordCheck(before, answer, settings, this.host.now() - this.since);
    this.health = health;
    const name = this.host.name();
    if (health.failures > before.failures) {
      this.host.logger.log('warn', `${name}: health check failed (${health.failures}/${settings.retries}): healthcheck=${settings.check.text}: ${health.answer}`);
    } else if (before.status !== 'healthy' && health.status === 'healthy') {
      this.host.logger.log('info', `${name}: healthy (healthcheck=${settings.check.text})`);
    }
    if (restart) return this.host.restart(this.generation, restartReason(settings.check.text, health));
    this.schedule();
  }
}

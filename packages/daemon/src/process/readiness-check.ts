/**
 * The readiness check (`ready=`) of one process's current spawn, as its driver (subprocess.ts)
 * uses it: prepared before the spawn (readiness/'s setup: NOTIFY_SOCKET, the fd:N pipe),
 * started once the child runs, stopped when STARTING ends, released when the child is gone or
 * the spawn failed. It keeps `ready=` as it was at that spawn (a changed ready=, applied in
 * place by update, counts from the next spawn) and the child's sd_notify STATUS= text.
 */
import type { ProcessConfig } from '../config/types.js';
import type { Logger } from '../logger.js';
import { setupProbe, type GoOnReady, type Probe, type ProbeHooks, type ProbeSetup } from '../readiness/index.js';

/** What the check needs of its process, read when it is used (update and rehome change them). */
export interface ReadinessHost extends Pick<ProbeHooks, 'watchdog' | 'watchOutput'> {
  logger(): Logger;
  name(): string;
  /** The child's environment (exec: runs with it). */
  env(): Record<string, string>;
  /** The check of the spawn `generation` succeeded. */
  ready(generation: number): void;
}

export class ReadinessCheck {
  private setup: ProbeSetup | null = null;
  private probe: Probe | null = null;
  /** `ready=` as it was at the current spawn. */
  spawnReady: ProcessConfig['ready'] = null;
  /** sd_notify STATUS= of the current child ('' when none). */
  statusText = '';

  constructor(private readonly host: ReadinessHost) {}

  /** Before a spawn: release the last check and set up `ready`; the spawn error when it cannot be. */
  prepare(ready: ProcessConfig['ready']): string | null {
    this.release();
    this.statusText = '';
    this.spawnReady = ready;
    if (!ready) return null;
    try {
      this.setup = setupProbe(ready, this.host.logger());
      return null;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      return `cannot set up ready=${ready.text} for '${this.host.name()}': ${code ?? (err as Error).message}`;
    }
  }

  /** Added to the child's environment while a check is prepared and not started (NOTIFY_SOCKET). */
  get env(): Record<string, string> {
    return this.setup?.env ?? {};
  }

  /** ready=fd:N: the child's end of the pipe and the fd it must end on. */
  get childFd(): ProbeSetup['childFd'] {
    return this.setup?.childFd ?? null;
  }

  /** The started check's reader lets `fd` go itself at the ready signal (readiness/probe.ts), if it can. */
  goOnReady(fd: number): GoOnReady | null {
    return this.probe?.goOnReady?.(fd) ?? null;
  }

  /** Why it is not ready yet, or null when no check was started for this spawn. */
  answer(): string | null {
    return this.probe ? this.probe.answer() : null;
  }

  /** The child `pid` of the spawn `generation` runs: start checking it. */
  start(pid: number, generation: number): void {
    const setup = this.setup;
    this.setup = null;
    if (!setup || !pid) return;
    const { host } = this;
    this.probe = setup.start(pid, {
      ready: () => host.ready(generation),
      status: (text) => {
        this.statusText = text;
      },
      watchdog: host.watchdog,
      watchOutput: host.watchOutput,
      logger: host.logger(),
      name: host.name(),
      // the environment without the check's own additions (taken above), as the child got
      env: host.env(),
    });
  }

  /** STARTING is over: no more checking (notify keeps reading STATUS= until release). */
  stop(): void {
    this.probe?.stop();
  }

  /** The child is gone (or never came): release the check, started or only prepared. */
  release(): void {
    this.probe?.close();
    this.probe = null;
    this.setup?.discard();
    this.setup = null;
  }
}

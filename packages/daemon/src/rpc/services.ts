/** What the RPC handlers need from the rest of the daemon. */
import type { SupervisorEvent } from '../events/event.js';
import type { LogChannel } from '@tsupervisor/protocol';
import type { LogHead } from '../logs/read.js';
import type { MetricsRecorder } from '../metrics/recorder.js';
import type { Supervisor } from '../supervisor.js';

export interface MainLogAccess {
  read(offset: number, length: number): Promise<string>;
  clear(): Promise<void>;
  /** The last `bytes` bytes as of now (NO_FILE without a file), for `maintail -f`. */
  head?(bytes: number): Promise<LogHead>;
}

export interface DaemonServices {
  supervisor: Supervisor;
  mainLog: MainLogAccess;
  /** Begin an orderly shutdown after the current reply is sent. */
  requestShutdown(): void;
  /** Begin a restart (reload) after the current reply is sent. */
  requestRestart(): void;
  /** reexec: null once the exec is under way, else why not (nothing changed). */
  requestReexec(): Promise<string | null>;
  /**
   * Subscribe to one log's chunks as published (`supervisord` = the main log; bytes are only
   * valid during the call); returns the unsubscribe function.
   */
  followOutput(name: string, channel: LogChannel, listener: (chunk: Uint8Array | string, name: string, channel: LogChannel) => void): () => void;
  /** Recent events a subscriber resuming after serial `after` has not seen (events/system.ts). */
  recentEvents?(after: number): SupervisorEvent[];
  /** The counters /metrics keeps (spawns, fcgi sockets), for tsupervisor.processStats. */
  metrics?: MetricsRecorder;
}

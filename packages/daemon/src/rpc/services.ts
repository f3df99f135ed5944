/** What the RPC handlers need from the rest of the daemon. */
import type { LogChannel } from '@tsupervisor/protocol';
import type { Supervisor } from '../supervisor.js';

export interface MainLogAccess {
  read(offset: number, length: number): Promise<string>;
  clear(): Promise<void>;
}

export interface DaemonServices {
  supervisor: Supervisor;
  mainLog: MainLogAccess;
  /** Begin an orderly shutdown after the current reply is sent. */
  requestShutdown(): void;
  /** Begin a restart (reload) after the current reply is sent. */
  requestRestart(): void;
  /** Subscribe to one log's chunks (`supervisord` = the main log); returns the unsubscribe function. */
  followOutput(name: string, channel: LogChannel, listener: (data: string, name: string, channel: LogChannel) => void): () => void;
}

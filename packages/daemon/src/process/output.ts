/** What a process needs of its log capture; logs/ provides the implementation. */
import type { LogChannel } from '@tsupervisor/protocol';
import type { GroupConfig, ProcessConfig } from '../config/types.js';
import type { LogHead } from '../logs/read.js';
import type { OutputStream } from '../logs/pipe-source.js';

export interface ChildOutput {
  /** Paths of the log files ('' when NONE), as getProcessInfo reports them. */
  readonly stdoutPath: string;
  readonly stderrPath: string;
  /**
   * Capture one spawn's pipes. `stderr` goes to the stderr log, or to the stdout log when
   * redirect_stderr is set. Resolves when both pipes are drained (the child's 'close').
   */
  attach(stdout: OutputStream | null, stderr: OutputStream | null): Promise<void>;
  read(channel: LogChannel, offset: number, length: number): Promise<string>;
  tail(channel: LogChannel, offset: number, length: number): Promise<{ bytes: string; offset: number; overflow: boolean }>;
  /**
   * The last `bytes` bytes of a channel's log as of this call, for a follower that takes the
   * chunks logged from now on (rejects with NO_FILE when there is no file).
   */
  head?(channel: LogChannel, bytes: number): Promise<LogHead>;
  clear(): Promise<void>;
  /** Open the log files afresh: at each spawn; `signal` (SIGUSR2) leaves files never opened unmade. */
  reopen(signal?: boolean): Promise<void>;
  /**
   * How many files reopen opens (0–2: NONE and syslog-only channels none); the fd budget
   * counts them until they are open (default 2).
   */
  readonly logFiles?: number;
  close(): Promise<void>;
  /**
   * Each chunk of the child's stdout as logged (with redirect_stderr, its stderr too), from now
   * until the returned function is called: ready=log:REGEX watches it while STARTING.
   */
  watch?(fn: (chunk: Buffer) => void): () => void;
}

/**
 * Whose output it is, read at each chunk: update may move a running process into or out of a
 * [group:x] (adoptProcess), and its log followers, PROCESS_LOG and PROCESS_COMMUNICATION events
 * must name the group it is in now.
 */
export interface OutputOwner {
  readonly process: ProcessConfig;
  readonly group: GroupConfig;
}

/**
 * The pipes a child writes its stdout and stderr to: real pipes, as supervisor's make_pipes
 * (libuv's stdio 'pipe' would be a socketpair), read through PipeSource. With redirect_stderr
 * the child's fd 2 is the stdout pipe too, as supervisor dup2s it, so what the child writes to
 * both stays in the order it was written.
 */
import { PipeSource } from '../logs/index.js';
import { closeFd, makePipe, type PipeFds } from '../native/index.js';

export interface ChildPipes {
  /** spawn's stdio[1] and stdio[2]: the write ends. */
  readonly stdio: [number, number];
  /** After a spawn: closes the write ends here (the child has its copies) and starts reading. */
  open(): { stdout: PipeSource; stderr: PipeSource | null };
  /** The spawn failed: closes both ends. */
  discard(): void;
}

function closeQuietly(fd: number): void {
  try {
    closeFd(fd);
  } catch {
    // EBADF: already closed
  }
}

/** Throws what pipe2 throws (EMFILE, ENFILE). */
export function makeChildPipes(redirectStderr: boolean): ChildPipes {
  const out = makePipe();
  let err: PipeFds | null = null;
  if (!redirectStderr) {
    try {
      err = makePipe();
    } catch (e) {
      closeQuietly(out.read);
      closeQuietly(out.write);
      throw e;
    }
  }
  const writeEnds = (): number[] => (err ? [out.write, err.write] : [out.write]);
  let settled = false;
  return {
    stdio: [out.write, err ? err.write : out.write],
    open() {
      if (settled) throw new Error('child pipes already opened or discarded');
      settled = true;
      for (const fd of writeEnds()) closeQuietly(fd);
      return { stdout: new PipeSource(out.read), stderr: err ? new PipeSource(err.read) : null };
    },
    discard() {
      if (settled) return;
      settled = true;
      for (const fd of [...writeEnds(), out.read, ...(err ? [err.read] : [])]) closeQuietly(fd);
    },
  };
}

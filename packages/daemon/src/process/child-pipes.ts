/**
 * The pipes of a child: real pipes, as supervisor's make_pipes (libuv's stdio 'pipe' would be
 * a socketpair). Its stdout and stderr are read through PipeSource; with redirect_stderr the
 * child's fd 2 is the stdout pipe too, as supervisor dup2s it, so what the child writes to both
 * stays in the order it was written. Its stdin (unless a socket takes fd 0) is written through
 * ChildStdin. After the child exits, closePipesSoon lets go of the read ends after a grace.
 */
import { PipeSource } from '../logs/index.js';
import { closeFdQuietly, makePipe, type PipeFds } from '../native/index.js';
import { ChildStdin } from './child-stdin.js';

export interface ChildPipes {
  /** spawn's stdio[0] ('ignore' without a stdin pipe), stdio[1] and stdio[2]: the child's ends. */
  readonly stdio: [number | 'ignore', number, number];
  /** After a spawn: closes the child's ends here (it has its copies) and starts reading. */
  open(): { stdin: ChildStdin | null; stdout: PipeSource; stderr: PipeSource | null };
  /** The spawn failed: closes both ends. */
  discard(): void;
}

/** The daemon's side of a running child's pipes (null: none, or closed; an adopted child's may be). */
export interface ChildIo {
  stdin: ChildStdin | null;
  stdout: PipeSource | null;
  stderr: PipeSource | null;
}

/** Throws what pipe2 throws (EMFILE, ENFILE). */
export function makeChildPipes(redirectStderr: boolean, withStdin = true): ChildPipes {
  const made: PipeFds[] = [];
  const pipe = (): PipeFds => {
    try {
      const p = makePipe();
      made.push(p);
      return p;
    } catch (e) {
      for (const p of made) for (const fd of [p.read, p.write]) closeFdQuietly(fd);
      throw e;
    }
  };
  const out = pipe();
  const err = redirectStderr ? null : pipe();
  const input = withStdin ? pipe() : null;
  // The ends the child gets: closed here once it has its copies.
  const childEnds = [out.write, ...(err ? [err.write] : []), ...(input ? [input.read] : [])];
  let settled = false;
  return {
    stdio: [input ? input.read : 'ignore', out.write, err ? err.write : out.write],
    open() {
      if (settled) throw new Error('child pipes already opened or discarded');
      settled = true;
      for (const fd of childEnds) closeFdQuietly(fd);
      return {
        stdin: input ? new ChildStdin(input.write) : null,
        stdout: new PipeSource(out.read),
        stderr: err ? new PipeSource(err.read) : null,
      };
    },
    discard() {
      if (settled) return;
      settled = true;
      for (const p of made) for (const fd of [p.read, p.write]) closeFdQuietly(fd);
    },
  };
}

/** How long output may still arrive through a child's pipes after it exited. */
const PIPE_GRACE_MS = 500;

/**
 * After the child exits, what is already in its pipes is still read; but a grandchild that
 * inherited them (`sh -c 'x &'`) must not keep the capture, `stop` and shutdown waiting:
 * like supervisor, which closes its ends at reap, the daemon lets go of them after a grace.
 */
export function closePipesSoon(pipes: Array<PipeSource | null>, drained: Promise<void>): void {
  const timer = setTimeout(() => {
    for (const pipe of pipes) pipe?.close();
  }, PIPE_GRACE_MS);
  timer.unref();
  void drained.then(() => clearTimeout(timer));
}

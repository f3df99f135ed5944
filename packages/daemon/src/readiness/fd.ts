/**
 * ready=fd:N (s6's notification-fd, dinit's ready-notification=pipefd): the child gets the
 * write end of a pipe on its fd N; a newline written there means ready. The daemon reads the
 * other end only while STARTING. An armed dependent's gate can be let go by the native reader
 * itself at that line (goOnReady), before the daemon's JS reads it.
 */
import { getSystemErrorName } from 'node:util';
import { closeFd, makePipe, pipeClose, pipeGoCancel, pipeGoOnNewline, pipeOpen, pipeStart, UV_EOF, type PipeHandle } from '../native/index.js';
import type { Probe, ProbeHooks, ProbeSetup } from './probe.js';

export function fdSetup(fd: number): ProbeSetup {
  const pipe = makePipe();
  let childEndOpen = true;
  let readEndOpen = true;
  const closeChildEnd = () => {
    if (childEndOpen) closeFd(pipe.write);
    childEndOpen = false;
  };
  return {
    env: {},
    childFd: { fd: pipe.write, to: fd },
    start(_pid: number, hooks: ProbeHooks): Probe {
      closeChildEnd(); // the child has its copy
      readEndOpen = false; // the reader owns it now
      // read by the native reader (tsv_pipe.c), as the child's output is: the line reaches the
      // state machine straight from libuv's callback, with no stream in between
      const buffer = Buffer.alloc(512);
      let answer = `nothing written to fd ${fd}`;
      let done = false;
      let reader: PipeHandle | null = null;
      const finish = () => {
        done = true;
        if (reader) pipeClose(reader);
        reader = null;
      };
      reader = pipeOpen(
        pipe.read,
        {
          pipeRead(n: number): boolean {
            if (done) return false;
            if (n < 0) {
              answer = n === UV_EOF ? `fd ${fd} closed without a newline` : `fd ${fd}: ${getSystemErrorName(n)}`;
              finish();
              return false;
            }
            if (!buffer.subarray(0, n).includes(10)) return true;
            finish();
            hooks.ready();
            return false;
          },
        },
        buffer,
      );
      pipeStart(reader);
      const handle = reader;
      return {
        answer: () => answer,
        stop: () => !done && finish(),
        close: () => !done && finish(),
        goOnReady: (gate) => {
          if (done) return null;
          pipeGoOnNewline(handle, gate);
          return { cancel: () => pipeGoCancel(handle) };
        },
      };
    },
    discard() {
      closeChildEnd();
      if (readEndOpen) closeFd(pipe.read);
      readEndOpen = false;
    },
  };
}

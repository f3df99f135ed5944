/**
 * ready=fd:N (s6's notification-fd, dinit's ready-notification=pipefd): the child gets the
 * write end of a pipe on its fd N; a newline written there means ready. The daemon reads the
 * other end only while STARTING.
 */
import { Socket } from 'node:net';
import { closeFd, makePipe } from '../native/index.js';
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
      readEndOpen = false; // the socket owns it now
      const reader = new Socket({ fd: pipe.read, readable: true, writable: false });
      let answer = `nothing written to fd ${fd}`;
      let done = false;
      const finish = () => {
        done = true;
        reader.destroy();
      };
      reader.on('data', (chunk: Buffer) => {
        if (done || !chunk.includes(10)) return;
        finish();
        hooks.ready();
      });
      reader.on('end', () => {
        if (!done) answer = `fd ${fd} closed without a newline`;
      });
      reader.on('error', (err: NodeJS.ErrnoException) => {
        answer = `fd ${fd}: ${err.code ?? err.message}`;
      });
      return { answer: () => answer, stop: () => !done && finish(), close: () => !done && finish() };
    },
    discard() {
      closeChildEnd();
      if (readEndOpen) closeFd(pipe.read);
      readEndOpen = false;
    },
  };
}

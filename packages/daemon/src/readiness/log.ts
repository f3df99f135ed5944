/**
 * ready=log:REGEX: a line of the child's stdout (as logged) matches. Only watched while
 * STARTING; a partial line is kept (up to MAX_LINE bytes) until its end arrives.
 */
import type { Probe, ProbeHooks, ProbeSetup } from './probe.js';

const MAX_LINE = 64 * 1024;

export function logSetup(pattern: string): ProbeSetup {
  const regex = new RegExp(pattern);
  return {
    env: {},
    childFd: null,
    start(_pid: number, hooks: ProbeHooks): Probe {
      let partial = '';
      let unwatch: (() => void) | null = null;
      const stop = () => {
        unwatch?.();
        unwatch = null;
      };
      unwatch = hooks.watchOutput((chunk) => {
        const lines = (partial + chunk.toString('utf8')).split('\n');
        partial = lines.pop()!.slice(-MAX_LINE);
        if (lines.some((line) => regex.test(line.replace(/\r$/, '')))) {
          stop();
          hooks.ready();
        }
      });
      return { answer: () => `no stdout line matched /${pattern}/`, stop, close: stop };
    },
    discard() {},
  };
}

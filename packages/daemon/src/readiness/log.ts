/**
 * ready=log:REGEX: a line of the child's stdout (as logged) matches. Only watched while
 * STARTING; a partial line is kept (up to MAX_LINE bytes) until its end arrives. The line
 * matcher is healthcheck=log:'s too (health/check.ts).
 */
import type { Probe, ProbeHooks, ProbeSetup } from './probe.js';

const MAX_LINE = 64 * 1024;

/** A matcher fed the output chunk by chunk: true when a line completed in this chunk matches. */
export function lineMatcher(pattern: string): (chunk: Buffer) => boolean {
  const regex = new RegExp(pattern);
  let partial = '';
  return (chunk) => {
    const lines = (partial + chunk.toString('utf8')).split('\n');
    partial = lines.pop()!.slice(-MAX_LINE);
    return lines.some((line) => regex.test(line.replace(/\r$/, '')));
  };
}

export function logSetup(pattern: string): ProbeSetup {
  return {
    env: {},
    childFd: null,
    start(_pid: number, hooks: ProbeHooks): Probe {
      const matches = lineMatcher(pattern);
      let unwatch: (() => void) | null = null;
      const stop = () => {
        unwatch?.();
        unwatch = null;
      };
      unwatch = hooks.watchOutput((chunk) => {
        if (matches(chunk)) {
          stop();
          hooks.ready();
        }
      });
      return { answer: () => `no stdout line matched /${pattern}/`, stop, close: stop };
    },
    discard() {},
  };
}

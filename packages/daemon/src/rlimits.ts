/**
 * [supervisord] minfds and minprocs, as supervisord's options.set_rlimits_or_exit at its first
 * start (not at a reload): a soft RLIMIT_NOFILE / RLIMIT_NPROC below the minimum is raised to
 * it (the hard limit too when below, which only root may do), noted by an INFO line of the main
 * log (`Increased RLIMIT_NOFILE limit to 1024`); when that fails the daemon refuses to start
 * with supervisord's message and exit code 2. The message shows the limit as supervisord does:
 * the hard limit it tried to set, that is the minimum when the hard limit was lower.
 */
import type { Rlimit, RlimitResource } from './native/index.js';

export class LimitError extends Error {}

interface LimitSpec {
  resource: RlimitResource;
  name: string;
  message: (min: number, hard: number) => string;
}

const LIMITS: readonly LimitSpec[] = [
  {
    resource: 'nofile',
    name: 'RLIMIT_NOFILE',
    message: (min, hard) =>
      `The minimum number of file descriptors required to run this process is ${min} as per the "minfds" command-line argument or config file setting. ` +
      `The current environment will only allow you to open ${hard} file descriptors.  Either raise the number of usable file descriptors in your ` +
      'environment (see README.rst) or lower the minfds setting in the config file to allow the process to start.',
  },
  {
    resource: 'nproc',
    name: 'RLIMIT_NPROC',
    message: (min, hard) =>
      `The minimum number of available processes required to run this program is ${min} as per the "minprocs" command-line argument or config file setting. ` +
      `The current environment will only allow you to open ${hard} processes.  Either raise the number of usable processes in your ` +
      'environment (see README.rst) or lower the minprocs setting in the config file to allow the program to start.',
  },
];

export interface RlimitOps {
  getrlimit(resource: RlimitResource): Rlimit;
  setrlimit(resource: RlimitResource, soft: number, hard: number): void;
}

/**
 * Raises the limits to `minfds`/`minprocs`; returns the INFO lines for the main log. Throws a
 * LimitError with supervisord's message when a limit cannot be raised (Infinity: unlimited).
 */
export function raiseLimits(minfds: number, minprocs: number, ops: RlimitOps): string[] {
  const infos: string[] = [];
  const mins: Record<string, number> = { nofile: minfds, nproc: minprocs };
  for (const spec of LIMITS) {
    const min = mins[spec.resource]!;
    let limit: Rlimit;
    try {
      limit = ops.getrlimit(spec.resource);
    } catch {
      continue; // no rlimits here (native layer missing): nothing to raise
    }
    const { soft, hard } = limit;
    if (soft === Infinity || soft >= min) continue;
    const wanted = hard !== Infinity && hard < min ? min : hard;
    try {
      ops.setrlimit(spec.resource, min, wanted);
    } catch {
      throw new LimitError(spec.message(min, wanted));
    }
    infos.push(`Increased ${spec.name} limit to ${min}`);
  }
  return infos;
}

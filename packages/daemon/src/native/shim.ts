/**
 * The exec shim `tsv-exec` (native/tsv_exec.c): setpgid, user, umask, directory, parent-death
 * signal, rlimits and socket placement between fork and exec. shimArgs() turns a spec into its
 * command line.
 */
import { existsSync } from 'node:fs';
import type { RlimitResource } from './index.js';
import { buildOnce, notBuilt, SHIM_PATH } from './locate.js';

/** The fd a listening socket is handed to the shim on: `stdio: [stdin, 'pipe', 'pipe', socketFd]`. */
export const SHIM_SOCKET_FD = 3;

export interface ShimSpec {
  /** The file to execv (already resolved and checked: the shim does no PATH search). */
  file: string;
  /** The child's argv including argv[0] (default [file]). */
  argv?: string[];
  /** Own process group (supervisor always does this). */
  setpgid?: boolean;
  /** user= : a name or uid; initgroups + setgid + setuid. HOME/USER are not changed. */
  user?: string | number | null;
  /** umask= (a number, e.g. 0o022). */
  umask?: number | null;
  /** directory= : chdir before exec (failure: "supervisor: couldn't chdir to PATH: ENOENT", exit 127). */
  directory?: string | null;
  /** Signal the child gets when the daemon dies (PR_SET_PDEATHSIG), e.g. 'KILL' or 'SIGTERM' or 9. */
  pdeathsig?: string | number | null;
  /**
   * The listening socket: `fd` is where spawn places it in the child (SHIM_SOCKET_FD, i.e.
   * stdio[3]); `pass: 'stdin'` (default) moves it onto fd 0 as supervisor does for
   * fcgi-program, `pass: 'listen_fds'` leaves it on fd 3 with LISTEN_FDS=1, LISTEN_PID=<pid>
   * and LISTEN_FDNAMES=`name` (if given).
   */
  socket?: { fd?: number; pass?: 'stdin' | 'listen_fds'; to?: number; name?: string } | null;
  /** Close every other fd >= 3 before exec (supervisor closes 3..minfds). */
  closeFds?: boolean;
  /** ready=fd:N: the notification pipe's write end arrives on stdio[from] and ends on fd `to`. */
  readyFd?: { from: number; to: number } | null;
  /** setrlimit in the child before dropping privileges; Infinity = unlimited. */
  rlimits?: Partial<Record<RlimitResource, number | { soft: number; hard?: number }>>;
}

function rlimValue(n: number): string {
  if (n === Infinity) return 'unlimited';
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`bad rlimit value ${n}`);
  return String(n);
}

/** The argv for `spawn(SHIM_PATH, shimArgs(spec), ...)`. Builds the shim first if it is missing. */
export function shimArgs(spec: ShimSpec): string[] {
  if (!existsSync(SHIM_PATH)) {
    const complaint = buildOnce();
    if (!existsSync(SHIM_PATH)) throw notBuilt(`exec shim (${SHIM_PATH})`, complaint ? new Error(complaint) : undefined);
  }
  const args: string[] = [];
  if (spec.setpgid) args.push('--setpgid');
  if (spec.user !== undefined && spec.user !== null && spec.user !== '') args.push('--user', String(spec.user));
  if (spec.umask !== undefined && spec.umask !== null) {
    if (!Number.isInteger(spec.umask) || spec.umask < 0 || spec.umask > 0o777) throw new RangeError(`bad umask ${spec.umask}`);
    args.push('--umask', spec.umask.toString(8).padStart(3, '0'));
  }
  if (spec.directory) args.push('--dir', spec.directory);
  if (spec.pdeathsig !== undefined && spec.pdeathsig !== null) args.push('--pdeathsig', String(spec.pdeathsig));
  if (spec.socket) {
    const fd = spec.socket.fd ?? SHIM_SOCKET_FD;
    if (spec.socket.pass === 'listen_fds') {
      args.push('--listen-fds', String(fd));
      if (spec.socket.name) args.push('--fdname', spec.socket.name);
    } else {
      args.push('--socket-fd', String(fd), '--socket-to', String(spec.socket.to ?? 0));
    }
  }
  if (spec.readyFd) args.push('--ready-fd', `${spec.readyFd.from}:${spec.readyFd.to}`);
  if (spec.closeFds) args.push('--close-fds');
  for (const [res, lim] of Object.entries(spec.rlimits ?? {})) {
    if (lim === undefined) continue;
    const { soft, hard } = typeof lim === 'number' ? { soft: lim, hard: undefined } : lim;
    args.push('--rlimit', `${res}=${rlimValue(soft)}${hard === undefined ? '' : `:${rlimValue(hard)}`}`);
  }
  const argv = spec.argv && spec.argv.length > 0 ? spec.argv : [spec.file];
  args.push('--', spec.file, ...argv);
  return args;
}

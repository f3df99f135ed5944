/**
 * The daemon's own process: spawning a program's exec shim without forking the daemon and
 * reaping it (tsv_spawn.c), the child subreaper, the open-fd count, reexec's execve, memory
 * trimming and the units of /proc/<pid>/stat.
 */
import { native, outOfDate, type ProcUnits, type ReapResult } from './addon.js';

/** prctl(PR_SET_CHILD_SUBREAPER): orphans of our descendants are reparented to us (reap them with reapPid). */
export function setChildSubreaper(): void {
  native().setChildSubreaper();
}

/**
 * waitpid(pid, WNOHANG): the exit of an adopted orphan, or null while it runs. Throws ECHILD if
 * `pid` is not our child. Never use it on a child spawned by child_process (or with pid -1):
 * that would steal libuv's exit event.
 */
export function reapPid(pid: number): ReapResult | null {
  return native().reapPid(pid);
}



/** Keep `fd` open across the next execve (native/tsv_reexec.c). */
export function clearCloexec(fd: number): void {
  const a = native();
  if (!a.clearCloexec) throw outOfDate('clearCloexec');
  a.clearCloexec(fd);
}

/** A second fd (O_CLOEXEC) on the same open file (a listening socket kept for the next image). */
export function dupFd(fd: number): number {
  const a = native();
  if (!a.dupFd) throw outOfDate('dupFd');
  return a.dupFd(fd);
}

/** execve(path, argv, env) with an empty signal mask; returns only by throwing. */
export function reexecImage(path: string, argv: string[], env: string[]): never {
  const a = native();
  if (!a.reexec) throw outOfDate('reexec');
  return a.reexec(path, argv, env);
}

/**
 * Give start-up-only memory back to the kernel (tsv_memory.c): MADV_PAGEOUT on the read-only file
 * mappings (the node binary's start-up code and data), then malloc_trim. Off the main thread;
 * resolves to the bytes of mappings advised. An out-of-date addon without it resolves to 0.
 */
export function trimMemory(): Promise<number> {
  const a = native();
  return a.trimMemory ? a.trimMemory() : Promise.resolve(0);
}

export function procUnits(): ProcUnits {
  const a = native();
  if (!a.procUnits) throw outOfDate('procUnits');
  return a.procUnits();
}

/**
 * posix_spawn (clone CLONE_VM|CLONE_VFORK) of `file`: the daemon is not forked, so a spawn costs
 * the same at 5,000 programs as at 10. `stdio[i]` is the daemon's fd that becomes the child's fd
 * i (-1: /dev/null). Returns the pid at once. The child is not libuv's: reap it (reaper.ts).
 * Throws a NativeError with syscall 'posix_spawn' (ENOENT, EMFILE, EAGAIN …).
 */
export function spawnProcess(file: string, argv: string[], env: string[], stdio: number[]): number {
  const a = native();
  if (!a.spawnProcess) throw outOfDate('spawnProcess');
  return a.spawnProcess(file, argv, env, stdio);
}

/** What a direct spawn's child does itself before exec'ing the command (tsv_direct.h). */
export interface DirectSteps {
  setpgid: boolean;
  closeFds: boolean;
  /** PR_SET_PDEATHSIG's signal number (0: none). */
  pdeathsig: number;
  /** null: unchanged. */
  umask: number | null;
  directory: string | null;
  /** An armed spawn: stdio's last slot is a pipe's read end; the child waits for one byte there
   * before its exec, and exits 0 without exec'ing at end-of-file (process/armed-spawn.ts). */
  armed?: boolean;
}

/**
 * Whether spawnDirect can run here: the clone spawn of x86-64 and arm64 (tsv_clone.c), an addon
 * that has it, and no TSV_SPAWN_SHIM=1 (which sends every spawn through the exec shim).
 */
export function canSpawnDirect(): boolean {
  if (process.env.TSV_SPAWN_SHIM === '1') return false;
  if (process.arch !== 'x64' && process.arch !== 'arm64') return false;
  try {
    return typeof native().spawnDirect === 'function';
  } catch {
    return false;
  }
}

/**
 * spawnProcess for the command itself, without the exec shim: the child takes `steps` with raw
 * system calls and execs `file`; a failure is written to its stderr in the shim's words (exit
 * 127). Only for a spawn that needs nothing else of the shim (no user, socket, ready=fd, rlimit).
 */
export function spawnDirect(file: string, argv: string[], env: string[], stdio: number[], steps: DirectSteps): number {
  const a = native();
  if (!a.spawnDirect) throw outOfDate('spawnDirect');
  const fixed: [number, number, number, number, string] = [
    steps.setpgid ? 1 : 0,
    steps.closeFds ? 1 : 0,
    steps.pdeathsig,
    steps.umask ?? -1,
    steps.directory ?? '',
  ];
  return a.spawnDirect(file, argv, env, stdio, steps.armed ? [...fixed, true] : fixed);
}

/**
 * Gives back the low fds that carried the stdio of spawns whose children have taken their own
 * fd table (tsv_spawn.c): until then they hold the child's pipe ends open in the daemon too.
 * Returns how many spawns still hold theirs: call again soon while it is not 0.
 */
export function spawnSettle(): number {
  const a = native();
  return a.spawnSettle ? a.spawnSettle() : 0;
}

/**
 * After unmapping the spawn blocks (stack, argv, environment) of children that have exec'd or
 * exited: how many have not yet, whose blocks stay (a spawn or a reap sweeps them later).
 */
export function spawnUnexeced(): number {
  const a = native();
  return a.spawnUnexeced ? a.spawnUnexeced() : 0;
}

/**
 * waitid(P_ALL, WNOHANG | WNOWAIT): the pid of a child that exited and is not reaped yet (left
 * as it is), or 0. The kernel gives the oldest such child first.
 */
export function peekChild(): number {
  const a = native();
  if (!a.peekChild) throw outOfDate('peekChild');
  return a.peekChild();
}

/** Descriptors open in this process (getdents64 on /proc/self/fd, no string per entry), or -1 without /proc. */
export function countFds(): number {
  const a = native();
  if (!a.countFds) throw outOfDate('countFds');
  return a.countFds();
}

/**
 * The fd table grown at once to cover fds below `size`, on a worker thread (tsv_spawn.c: each
 * doubling of a multithreaded process's table waits for an RCU grace period). Resolves to the
 * size reached, or 0 (not grown: an addon without it, or the kernel refused).
 */
export function growFdTable(size: number): Promise<number> {
  const a = native();
  return a.growFdTable ? a.growFdTable(size) : Promise.resolve(0);
}

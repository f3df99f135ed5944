/**
 * The spawn itself: a child started through the exec shim (native/shim.ts), or, when it needs
 * no user switch, socket or ready=fd, the command itself with the shim's few steps taken by the
 * clone child (native/tsv_clone.c; TSV_SPAWN_SHIM=1 forces the shim), so
 * the daemon is not forked (os-seam.ts), as supervisor's
 * spawn does between fork and exec: the command resolved on the child's PATH, the shim's
 * arguments (setpgid, user, umask, directory, parent-death signal), the child's stdio (its
 * pipes, the fcgi listening socket at fd 3, a ready=fd:N pipe in the next free slot) and every
 * way that can fail, in supervisor's words. Apart from the driver (subprocess.ts) because it
 * only needs explicit inputs: the driver sets up the readiness check before and watches the
 * child after.
 */
import { RPCFault } from '@tsupervisor/protocol';
import type { ProcessConfig } from '../config/types.js';
import type { Logger } from '../logger.js';
import type { OsSeam, SpawnedChild } from '../os-seam.js';
import { constants as osConstants } from 'node:os';
import { type DirectSteps, SHIM_PATH, shimArgs } from '../native/index.js';
import { resolveCommand } from './command.js';
import { heldExecGate } from './exec-batch.js';
import { type ChildPipes, makeChildPipes } from './child-pipes.js';
import { fdLimit, openFds, shortageNotice, spawnFdsShort, type FdCount } from './fd-budget.js';

/** The listening socket a process gets at spawn (fcgi-program). */
export interface SpawnSocket {
  fd: number;
  pass: 'stdin' | 'listen_fds';
  name: string;
}

export interface SpawnInput {
  os: OsSeam;
  logger: Logger;
  config: ProcessConfig;
  env: Record<string, string>;
  /** Asked once the command resolved (it may open the socket), or null; may throw. */
  listeningSocket(): SpawnSocket | null;
  /** ready=fd:N: the pipe's child end and the fd the child expects it at. */
  readyFd: { fd: number; to: number } | null;
  /** Release the readiness check set up for this spawn (on the failures that give it up). */
  releaseProbe(): void;
  /** The spawn failed: supervisor's spawnerr (now, or later for a failed fork). */
  failed(error: string): void;
  /** An armed spawn (armed-spawn.ts): the go pipe's read end; the child waits on it before its
   * exec. Only for a direct spawn: anything else fails. */
  gate?: number;
}

/** Spawns the child, or returns null after telling `input.failed` (maybe later) why not. */
export function spawnChild(input: SpawnInput): { child: SpawnedChild; pid: number; pipes: ChildPipes } | null {
  const cfg = input.config;
  const outOfFds = (count?: FdCount) => reportOutOfFds(input, count);
  let resolved;
  let socket;
  try {
    resolved = resolveCommand(cfg.argv, input.env, cfg.commandError);
    socket = input.listeningSocket();
  } catch (err) {
    input.releaseProbe();
    input.failed(err instanceof RPCFault ? err.detail : (err as Error).message);
    return null;
  }
  // ready=fd:N: the pipe's child end goes in the first free stdio slot; the shim moves it to N
  const readyFd = input.readyFd;
  const readySlot = socket ? 4 : 3;
  // Nothing but single system calls to make: the child takes them and execs the command itself
  // (native/tsv_clone.c), 1 ms sooner in main() than through the shim. Else the shim does it all.
  const direct = !cfg.user && !socket && !readyFd ? input.os.spawnDirect : undefined;
  if (input.gate !== undefined && !direct) {
    input.releaseProbe();
    input.failed(`'${cfg.name}' cannot be spawned armed (not a direct spawn)`);
    return null;
  }
  const args = direct
    ? []
    : shimArgs({
        setpgid: true,
        closeFds: true,
        pdeathsig: 'KILL',
        user: cfg.user ?? undefined,
        umask: cfg.umask ?? undefined,
        directory: cfg.directory ?? undefined,
        socket: socket ? { fd: 3, pass: socket.pass, name: socket.name } : undefined,
        file: resolved.filename,
        argv: resolved.argv,
        readyFd: readyFd ? { from: readySlot, to: readyFd.to } : null,
      });
  // the reserve that keeps the control socket answering is not for spawns (fd-budget.ts)
  const short = spawnFdsShort();
  if (short) {
    outOfFds(short);
    return null;
  }
  // armed by the start gate, or held until the spawns made with it are all made (exec-batch.ts)
  const gate = input.gate ?? (direct ? heldExecGate() : undefined);
  let pipes: ChildPipes;
  try {
    pipes = makeChildPipes(cfg.redirectStderr, !(socket && socket.pass === 'stdin'));
  } catch (err) {
    input.releaseProbe();
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EMFILE') outOfFds();
    else input.failed(`unknown error making dispatchers for '${cfg.name}': ${code ?? (err as Error).message}`);
    return null;
  }
  const stdio: Array<number | 'ignore'> = [...pipes.stdio];
  if (socket) stdio.push(socket.fd);
  if (readyFd) stdio[readySlot] = readyFd.fd;
  if (gate !== undefined) stdio.push(gate); // the last slot (tsv_direct.h)
  let child: SpawnedChild;
  try {
    const options = { env: input.env, stdio };
    child = direct
      ? direct(resolved.filename, resolved.argv.length > 0 ? resolved.argv : [resolved.filename], directSteps(cfg, gate !== undefined), options)
      : input.os.spawn(SHIM_PATH, args, options);
  } catch (err) {
    pipes.discard();
    input.releaseProbe();
    const code = (err as NodeJS.ErrnoException).code;
    // Out of fds at the spawn (the pipes were made): supervisor's words, not the shim's path.
    if (code === 'EMFILE') outOfFds();
    else input.failed(forkError(cfg.name, code ?? (err as Error).message));
    return null;
  }
  return { child, pid: child.pid, pipes };
}

/** The shim's steps for a direct spawn: supervisor's setpgrp, closed fds, SIGKILL at the daemon's death. */
function directSteps(cfg: ProcessConfig, armed: boolean): DirectSteps {
  return {
    setpgid: true,
    closeFds: true,
    pdeathsig: osConstants.signals.SIGKILL,
    umask: cfg.umask ?? null,
    directory: cfg.directory || null,
    ...(armed ? { armed } : {}),
  };
}

/** supervisor's spawn error when fork fails (EAGAIN: the process limit). */
function forkError(name: string, code: string): string {
  if (code === 'EAGAIN') return `Too many processes in process table to spawn '${name}'`;
  return `unknown error during fork for '${name}': ${code}`;
}

/**
 * No descriptors for a spawn: supervisor's spawn error (BACKOFF, then FATAL), and in the main
 * log, at most every 10 s, how many are open against which limit and what to raise.
 */
function reportOutOfFds(input: SpawnInput, count: FdCount = { open: openFds(), limit: fdLimit() }): void {
  const notice = shortageNotice(count);
  if (notice) input.logger.log('warn', notice);
  input.failed(`too many open files to spawn '${input.config.name}'`);
}

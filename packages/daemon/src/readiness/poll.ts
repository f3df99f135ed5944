/**
 * The polled checks: tcp:HOST:PORT (a connect succeeds), http://… (a GET answers 2xx) and
 * exec:COMMAND (exits 0). One attempt at a time, each bounded by ATTEMPT_TIMEOUT_MS, the next
 * POLL_INTERVAL_MS after the last ended, until one succeeds or the probe is stopped. The health
 * checks (health/) run the same attempts, one per healthcheck_interval (attemptOf).
 */
import { get } from 'node:http';
import { connect } from 'node:net';
import { RPCFault } from '@tsupervisor/protocol';
import type { ReadyCheck } from '../config/types.js';
import { realOs, type SpawnedChild } from '../os-seam.js';
import { resolveCommand } from '../process/command.js';
import { ATTEMPT_TIMEOUT_MS, POLL_INTERVAL_MS, type Probe, type ProbeHooks, type ProbeSetup } from './probe.js';

/** One attempt, bounded by `ms`: resolves null on success, else the answer (why not). */
export type Attempt = (env: Record<string, string>, signal: AbortSignal, ms: number) => Promise<string | null>;

function tcpAttempt(host: string, port: number): Attempt {
  return (_env, signal, ms) =>
    new Promise((resolve) => {
      const socket = connect({ host, port, signal, timeout: ms });
      socket.once('connect', () => {
        socket.destroy();
        resolve(null);
      });
      socket.once('timeout', () => {
        socket.destroy();
        resolve(`no connection within ${ms} ms`);
      });
      socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    });
}

function httpAttempt(url: string): Attempt {
  return (_env, signal, ms) =>
    new Promise((resolve) => {
      const req = get(url, { signal, timeout: ms }, (res) => {
        res.resume();
        const code = res.statusCode ?? 0;
        resolve(code >= 200 && code < 300 ? null : `HTTP ${code}`);
      });
      req.once('timeout', () => {
        req.destroy();
        resolve(`no answer within ${ms} ms`);
      });
      req.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    });
}

/**
 * exec: the command resolved on the probe's PATH (as a program's is) and spawned like a program,
 * by the native layer (os-seam.ts), not by child_process, which forks the whole daemon for each
 * attempt: 1,000 programs checked every 5 s made that 200 forks of a big process a second. Its
 * stdio is /dev/null; past `ms` (or on abort) it is killed with SIGKILL; its exit comes from the
 * reaper.
 */
function execAttempt(argv: string[]): Attempt {
  return (env, signal, ms) =>
    new Promise((resolve) => {
      if (signal.aborted) return resolve('aborted');
      let child: SpawnedChild;
      try {
        const { filename } = resolveCommand(argv, env);
        child = realOs.spawn(filename, argv.slice(1), { env, stdio: ['ignore', 'ignore', 'ignore'], argv0: argv[0] });
      } catch (err) {
        return resolve(err instanceof RPCFault ? err.detail : ((err as NodeJS.ErrnoException).code ?? (err as Error).message));
      }
      const kill = () => {
        try {
          realOs.kill(child.pid, 'KILL');
        } catch {
          // already exited: its exit event is on its way
        }
      };
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        kill();
      }, ms);
      signal.addEventListener('abort', kill, { once: true });
      child.once('exit', (code, sig) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', kill);
        if (code === 0) resolve(null);
        else if (sig) resolve(timedOut && sig === 'SIGKILL' ? `no exit within ${ms} ms` : `terminated by ${sig}`);
        else resolve(`exit status ${code}`);
      });
    });
}

/** The attempt of a polled check (tcp, http, exec). */
export function attemptOf(check: ReadyCheck): Attempt {
  switch (check.kind) {
    case 'tcp':
      return tcpAttempt(check.host, check.port);
    case 'http':
      return httpAttempt(check.url);
    case 'exec':
      return execAttempt(check.argv);
    default:
      throw new Error(`${check.kind} is not a polled check`);
  }
}

export function pollSetup(check: ReadyCheck): ProbeSetup {
  const attempt = attemptOf(check);
  return {
    env: {},
    childFd: null,
    start(_pid: number, hooks: ProbeHooks): Probe {
      const abort = new AbortController();
      let answer = '';
      let timer: NodeJS.Timeout | null = null;
      const round = () => {
        timer = null;
        void attempt(hooks.env, abort.signal, ATTEMPT_TIMEOUT_MS).then((why) => {
          if (abort.signal.aborted) return;
          if (why === null) {
            abort.abort();
            hooks.ready();
          } else {
            answer = why;
            timer = setTimeout(round, POLL_INTERVAL_MS);
          }
        });
      };
      round();
      const stop = () => {
        abort.abort();
        if (timer) clearTimeout(timer);
      };
      return { answer: () => answer, stop, close: stop };
    },
    discard() {},
  };
}

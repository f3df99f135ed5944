/**
 * The polled checks: tcp:HOST:PORT (a connect succeeds), http://… (a GET answers 2xx) and
 * exec:COMMAND (exits 0). One attempt at a time, each bounded by ATTEMPT_TIMEOUT_MS, the next
 * POLL_INTERVAL_MS after the last ended, until one succeeds or the probe is stopped. The health
 * checks (health/) run the same attempts, one per healthcheck_interval (attemptOf).
 */
import { spawn } from 'node:child_process';
import { get } from 'node:http';
import { connect } from 'node:net';
import type { ReadyCheck } from '../config/types.js';
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

function execAttempt(argv: string[]): Attempt {
  return (env, signal, ms) =>
    new Promise((resolve) => {
      const child = spawn(argv[0]!, argv.slice(1), { env, stdio: 'ignore', signal, timeout: ms, killSignal: 'SIGKILL' });
      child.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
      child.once('exit', (code, sig) => {
        if (code === 0) resolve(null);
        else resolve(sig ? (sig === 'SIGKILL' ? `no exit within ${ms} ms` : `terminated by ${sig}`) : `exit status ${code}`);
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

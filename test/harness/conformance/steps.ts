/**
 * Plays a case's steps against a running daemon and writes the transcript: `> STEP`, the
 * normalised stdout, stderr as `[stderr] …`, `[exit N]` for each command step; directives
 * (`!sleep`, `!wait`, `!kill`, `!edit`, `!append`, `!write`) are echoed as written. The runner's
 * own complaints (a `!wait` that timed out, no pid to kill) go into the transcript as
 * `[runner] …` lines, so they make the case fail.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { constants } from 'node:os';
import { dirname } from 'node:path';
import { sleep } from '../procs.js';
import { substitute, words, type Places, type Step } from './case-format.js';
import type { Outcome } from './bounded-command.js';
import type { Session } from './session.js';
import { markStderr, normalise, printfB, sortLines, utf8Of } from './transcript-text.js';
import { runBounded, type BoundedOptions } from './bounded-command.js';

export interface StepContext {
  session: Session;
  /** placeholders in the latin1 domain */
  places: Places;
  conf: string;
  /** options for `!sh` commands (env already holds CTL DAEMON CONF TMP HERE ROOT) */
  shell: BoundedOptions;
  /** the transcript so far (latin1) */
  out: string[];
}

const WAIT_LIMIT_MS = 15_000;

function record(c: StepContext, display: string, r: Outcome, sorted = false): void {
  const stdout = sorted ? sortLines(r.stdout) : r.stdout;
  c.out.push(normalise(stdout, display, c.places), normalise(markStderr(r.stderr), display, c.places), `[exit ${r.code}]\n`);
}

/** The state column of NAME's row in `status NAME`, or '' (like awk '$1 == n { print $2 }'). */
async function stateOf(c: StepContext, name: string): Promise<string> {
  const r = await c.session.ctl(['status', name]);
  for (const line of utf8Of(r.stdout).split('\n')) {
    const f = words(line);
    if (f[0] === name) return f[1] ?? '';
  }
  return '';
}

async function waitState(c: StepContext, state: string, names: string[]): Promise<void> {
  for (const name of names) {
    const end = Date.now() + WAIT_LIMIT_MS;
    let st = await stateOf(c, name);
    while (st !== state && Date.now() < end && !c.shell.signal?.aborted) {
      await sleep(100);
      st = await stateOf(c, name);
    }
    if (st !== state) c.out.push(`[runner] timeout waiting for ${name} to be ${state} (last: ${st || 'none'})\n`);
  }
}

function signalNumber(flag: string): number | undefined {
  const s = flag.replace(/^-/, '').toUpperCase();
  if (/^\d+$/.test(s)) return Number(s);
  return constants.signals[(s.startsWith('SIG') ? s : `SIG${s}`) as NodeJS.Signals];
}

async function kill(c: StepContext, flag: string, name: string): Promise<void> {
  const reply = (await c.session.ctl(['pid', name])).stdout.replace(/\n+$/, '');
  if (!/^[1-9][0-9]*$/.test(reply)) {
    c.out.push(`[runner] no pid for ${name}\n`);
    return;
  }
  const signal = signalNumber(flag);
  try {
    if (signal === undefined) throw new Error(`unknown signal ${flag}`);
    process.kill(Number(reply), signal);
  } catch (e) {
    process.stderr.write(`conformance: !kill ${flag} ${name}: ${(e as Error).message}\n`);
  }
}

export async function playStep(c: StepContext, step: Step): Promise<void> {
  const sub = (s: string) => substitute(s, c.places);
  switch (step.kind) {
    case 'ctl':
    case 'sorted':
      c.out.push(`> ${step.line}\n`);
      record(c, step.args, await c.session.ctl(words(utf8Of(sub(step.args)))), step.kind === 'sorted');
      return;
    case 'sh':
      c.out.push(`> ${step.line}\n`);
      record(c, step.line, await runBounded(['bash', '-c', utf8Of(sub(step.script))], c.shell));
      return;
    case 'unknown':
      c.out.push(`[runner] unknown directive: ${step.line}\n`);
      return;
  }
  c.out.push(`${step.line}\n`);
  switch (step.kind) {
    case 'sleep':
      await sleep(step.seconds * 1000);
      return;
    case 'wait':
      return waitState(c, step.state, step.names);
    case 'kill':
      return kill(c, step.signal, step.name);
    case 'edit': {
      const r = spawnSync('sed', ['-i', '-e', utf8Of(sub(step.sedExpr)), c.conf], { encoding: 'utf8' });
      if (r.status !== 0) process.stderr.write(`conformance: ${step.line}: sed failed: ${r.stderr || r.error}\n`);
      return;
    }
    case 'append':
      appendFileSync(c.conf, Buffer.from(printfB(sub(step.text)) + '\n', 'latin1'));
      return;
    case 'write': {
      const path = utf8Of(sub(step.path));
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, Buffer.from(printfB(sub(step.text)), 'latin1'));
      return;
    }
  }
}

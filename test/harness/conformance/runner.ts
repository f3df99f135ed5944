/**
 * The project's conformance runner: replays (or records) one case folder against a daemon and
 * its ctl, and compares the transcript with the recorded `expected` byte for byte.
 *
 *   runCase({ casesDir, name, daemon, ctl })            replay: { passed, transcript, diff }
 *   runCase({ ..., record: true })                      write `expected` from this run
 *
 * `daemon` / `ctl` are argv prefixes (tsupervisor by default: see `tsupervisorCommands`; Debian's
 * supervisor is ['supervisord'] / ['supervisorctl']). Whatever happens (a failed step, a step
 * timeout, an abort), the daemon and what it started are killed by pid and the temp dir removed.
 * Environment knobs, as in the recorder: STEP_TIMEOUT (s, default 60), READY_TIMEOUT (s, 10).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../paths.js';
import { freePort } from '../net.js';
import { confFromTemplate, portsWanted, readCase } from './case-format.js';
import { killGroups } from './bounded-command.js';
import { openSession } from './session.js';
import { playStep, type StepContext } from './steps.js';
import { latin1Of, markStderr, normalise } from './transcript-text.js';

/** @ROOT@: this folder, whose lib/ holds the FastCGI app and client the cases start. */
export const conformanceRoot = join(repoRoot, 'test', 'harness', 'conformance');
/** The case folders of the repository. */
export const caseFolders = [join(repoRoot, 'test', 'conformance'), join(repoRoot, 'packages', 'ctl', 'test', 'conformance')];

export function tsupervisorCommands(): { daemon: string[]; ctl: string[] } {
  return {
    daemon: [process.execPath, join(repoRoot, 'packages', 'daemon', 'bin', 'tsupervisord.js')],
    ctl: [process.execPath, join(repoRoot, 'packages', 'ctl', 'bin', 'tsupervisorctl.cjs')],
  };
}

/** Why the runner cannot run here (tools it needs, a build it replays), or [] when it can. */
export function missingPrerequisites(commands: { daemon: string[]; ctl: string[] }): string[] {
  const missing: string[] = [];
  for (const tool of ['bash', 'sed', 'python3']) {
    if (spawnSync(tool, ['--version'], { stdio: 'ignore' }).error) missing.push(`${tool} is not on PATH (the case steps use it)`);
  }
  for (const argv of [commands.daemon, commands.ctl]) {
    const script = argv[1];
    if (argv[0] === process.execPath && script && !existsSync(script)) missing.push(`${script} is missing: not built (run pnpm run build)`);
    else if (argv[0] !== process.execPath && spawnSync(argv[0]!, ['--help'], { stdio: 'ignore' }).error) {
      missing.push(`${argv[0]} is not on PATH`);
    }
  }
  return missing;
}

export interface RunOptions {
  casesDir: string;
  name: string;
  daemon: string[];
  ctl: string[];
  /** write `expected` from this run instead of comparing */
  record?: boolean;
  stepTimeoutS?: number;
  readyTimeoutS?: number;
  signal?: AbortSignal;
}

export interface CaseResult {
  name: string;
  passed: boolean;
  recorded: boolean;
  transcript: string;
  expected: string | undefined;
  /** `diff -u expected actual` when it failed */
  diff: string;
}

const envSeconds = (name: string, fallback: number) => Number(process.env[name] ?? fallback) || fallback;

export async function runCase(o: RunOptions): Promise<CaseResult> {
  const c = readCase(o.casesDir, o.name);
  const ports: number[] = [];
  while (ports.length < portsWanted(c)) {
    const port = await freePort();
    if (!ports.includes(port)) ports.push(port);
  }
  const tmp = mkdtempSync(join(tmpdir(), 'conformance.'));
  const places = { tmp: latin1Of(tmp), here: latin1Of(c.dir), root: latin1Of(conformanceRoot), ports };
  const conf = join(tmp, 'supervisord.conf');
  const env = { ...process.env, LC_ALL: 'C', TZ: 'UTC', ROOT: conformanceRoot };
  const groups = new Set<number>();
  const bounded = { cwd: repoRoot, env, timeoutS: o.stepTimeoutS ?? envSeconds('STEP_TIMEOUT', 60), signal: o.signal, groups };
  const session = openSession({ ...bounded, tmp, conf, daemon: o.daemon, ctl: o.ctl, readyTimeoutS: o.readyTimeoutS ?? envSeconds('READY_TIMEOUT', 10) });
  const out: string[] = [];
  try {
    writeFileSync(conf, Buffer.from(confFromTemplate(c.template, places), 'latin1'));
    const started = await session.start();
    if (started.ready) {
      const shellEnv = { ...env, CTL: o.ctl.join(' '), DAEMON: o.daemon.join(' '), CONF: conf, TMP: tmp, HERE: c.dir };
      const ctx: StepContext = { session, places, conf, shell: { ...bounded, env: shellEnv, outDir: tmp }, out };
      for (const step of c.steps) {
        if (o.signal?.aborted) throw new Error(`case ${o.name}: aborted at ${step.line}`);
        await playStep(ctx, step);
      }
    } else {
      const read = (f: string) => (existsSync(join(tmp, f)) ? readFileSync(join(tmp, f), 'latin1') : '');
      out.push(
        `[runner] daemon did not become ready (exit ${started.exit ?? 'none'}); its output:\n`,
        normalise(read('daemon.out'), 'daemon', places),
        normalise(markStderr(read('daemon.err')), 'daemon', places),
      );
    }
  } finally {
    await session.stop();
    killGroups(groups);
    rmSync(tmp, { recursive: true, force: true });
  }
  const transcript = out.join('');
  if (o.record) {
    writeFileSync(join(c.dir, 'expected'), Buffer.from(transcript, 'latin1'));
    return { name: o.name, passed: true, recorded: true, transcript, expected: transcript, diff: '' };
  }
  const passed = c.expected === transcript;
  return { name: o.name, passed, recorded: false, transcript, expected: c.expected, diff: passed ? '' : unifiedDiff(c.expected, transcript) };
}

/** `diff -u` of the two transcripts (or both texts in full when diff(1) is not there). */
function unifiedDiff(expected: string | undefined, actual: string): string {
  if (expected === undefined) return '(no expected file: record the case first)';
  const dir = mkdtempSync(join(tmpdir(), 'conformance-diff.'));
  try {
    writeFileSync(join(dir, 'expected'), Buffer.from(expected, 'latin1'));
    writeFileSync(join(dir, 'actual'), Buffer.from(actual, 'latin1'));
    const r = spawnSync('diff', ['-u', '--label', 'expected', '--label', 'actual', 'expected', 'actual'], { cwd: dir, encoding: 'latin1' });
    return r.error ? `--- expected\n${expected}\n--- actual\n${actual}` : r.stdout;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

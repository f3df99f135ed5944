/**
 * A process's getProcessInfo answer: supervisor's fields (times in seconds, the description
 * from describe.ts) plus tsupervisor's JSON-only ones (ready, health, status_text, what the
 * start gate holds it for). A pure function of the driver's data, apart from Subprocess so that
 * the answer's shape is read in one place.
 */
import { ProcessStates, type ProcessInfo } from '@tsupervisor/protocol';
import type { ProcessConfig } from '../config/types.js';
import { healthNote, type Health } from '../health/verdict.js';
import { describe } from './describe.js';
import { dependencyInfo, type GateNote } from './dependencies.js';
import type { ChildOutput } from './output.js';
import type { ProcState } from './transition.js';

export interface InfoInput {
  config: ProcessConfig;
  group: string;
  state: ProcState;
  output: ChildOutput;
  /** sd_notify STATUS= of the current child ('' when none). */
  statusText: string;
  health: Health | null;
  gateNote: GateNote | null;
}

export function processInfo(input: InfoInput, nowMs: number): ProcessInfo {
  const { config, state: st, output } = input;
  const sec = (ms: number) => Math.floor(ms / 1000);
  const base = {
    name: config.name,
    group: input.group,
    start: sec(st.laststart),
    stop: sec(st.laststop),
    now: sec(nowMs),
    state: ProcessStates[st.state],
    statename: st.state,
    spawnerr: st.spawnerr,
    exitstatus: st.exitstatus ?? 0,
    logfile: output.stdoutPath,
    stdout_logfile: output.stdoutPath,
    stderr_logfile: output.stderrPath,
    pid: st.pid,
  };
  const plain = describe(base);
  const status = input.statusText && st.pid ? `${plain}, ${input.statusText}` : plain;
  const health = input.health;
  const note = healthNote(health);
  const description = note ? `${status} (${note})` : status;
  const extra = { ready: st.ready, health: health?.status ?? null, health_failures: health?.failures ?? 0, status_text: st.pid ? input.statusText : '' };
  return { ...base, description, ...dependencyInfo(config.dependsOn, input.gateNote), ...extra };
}

/**
 * Parameter checks for every method: a wrong type gets INCORRECT_PARAMETERS naming the
 * parameter, before any handler runs.
 */
import { Faults, RPCFault, type MethodName } from '@tsupervisor/protocol';

type Kind = 'string' | 'number' | 'boolean' | 'string[]' | 'string|number';
type Spec = Record<string, { kind: Kind; optional?: boolean }>;

const name = { kind: 'string' as const };
const wait = { kind: 'boolean' as const, optional: true };
const logRead = { name, offset: { kind: 'number' as const }, length: { kind: 'number' as const } };
const signal = { kind: 'string|number' as const };

const SPECS: Partial<Record<MethodName, Spec>> = {
  'supervisor.readLog': { offset: { kind: 'number' }, length: { kind: 'number' } },
  'supervisor.addProcessGroup': { name },
  'supervisor.removeProcessGroup': { name },
  'supervisor.startProcess': { name, wait },
  'supervisor.startProcessGroup': { name, wait },
  'supervisor.startAllProcesses': { wait },
  'supervisor.stopProcess': { name, wait },
  'supervisor.stopProcessGroup': { name, wait },
  'supervisor.stopAllProcesses': { wait },
  'supervisor.signalProcess': { name, signal },
  'supervisor.signalProcessGroup': { name, signal },
  'supervisor.signalAllProcesses': { signal },
  'supervisor.getProcessInfo': { name },
  'supervisor.readProcessStdoutLog': logRead,
  'supervisor.readProcessStderrLog': logRead,
  'supervisor.tailProcessStdoutLog': logRead,
  'supervisor.tailProcessStderrLog': logRead,
  'supervisor.clearProcessLogs': { name },
  'supervisor.sendProcessStdin': { name, chars: { kind: 'string' } },
  'supervisor.sendRemoteCommEvent': { type: { kind: 'string' }, data: { kind: 'string' } },
  'tsupervisor.update': { names: { kind: 'string[]', optional: true } },
  'tsupervisor.planUpdate': { names: { kind: 'string[]', optional: true } },
  'tsupervisor.rollingRestart': { names: { kind: 'string[]' } },
  'tsupervisor.followLogs': {
    names: { kind: 'string[]' },
    channel: { kind: 'string' },
    main: { kind: 'boolean', optional: true },
    head: { kind: 'number', optional: true },
  },
  'tsupervisor.subscribeEvents': { types: { kind: 'string[]' } },
};

function matches(kind: Kind, value: unknown): boolean {
  switch (kind) {
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'string[]':
      return Array.isArray(value) && value.every((v) => typeof v === 'string');
    case 'string|number':
      return typeof value === 'string' || (typeof value === 'number' && Number.isInteger(value));
  }
}

export function validateParams(method: MethodName, params: Record<string, unknown>): void {
  const spec = SPECS[method];
  if (!spec) return;
  for (const [key, { kind, optional }] of Object.entries(spec)) {
    const value = params[key];
    if (value === undefined && optional) continue;
    if (!matches(kind, value)) {
      throw new RPCFault(Faults.INCORRECT_PARAMETERS, `${method}: parameter '${key}' must be ${kind}`);
    }
  }
  if (method === 'tsupervisor.followLogs' && params['channel'] !== 'stdout' && params['channel'] !== 'stderr') {
    throw new RPCFault(Faults.BAD_ARGUMENTS, `channel must be stdout or stderr`);
  }
}

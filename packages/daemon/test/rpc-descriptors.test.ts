/**
 * The tables derived from the method descriptors (protocol's METHODS, xmlrpc/shapes.ts) equal
 * the hand-written tables they replaced, copied here as they were: the method names in order,
 * the state-changing set, the parameter specs, and the XML-RPC names, targets, positional
 * params, required counts, methodSignatures, roles and arg orders.
 */
import assert from 'node:assert/strict';
import test from 'node:test';
import { METHOD_NAMES, METHODS, STATE_CHANGING, type MethodName, type ParamSpec } from '@tsupervisor/protocol';
import { callMethod, XMLRPC_METHODS, XMLRPC_SERVED } from '../src/xmlrpc/method-map.js';

const OLD_NAMES = [
  'supervisor.getAPIVersion', 'supervisor.getSupervisorVersion', 'supervisor.getIdentification', 'supervisor.getState',
  'supervisor.getPID', 'supervisor.readLog', 'supervisor.clearLog', 'supervisor.shutdown', 'supervisor.restart',
  'supervisor.reloadConfig', 'supervisor.addProcessGroup', 'supervisor.removeProcessGroup', 'supervisor.startProcess',
  'supervisor.startProcessGroup', 'supervisor.startAllProcesses', 'supervisor.stopProcess', 'supervisor.stopProcessGroup',
  'supervisor.stopAllProcesses', 'supervisor.signalProcess', 'supervisor.signalProcessGroup', 'supervisor.signalAllProcesses',
  'supervisor.getAllConfigInfo', 'supervisor.getProcessInfo', 'supervisor.getAllProcessInfo', 'supervisor.readProcessStdoutLog',
  'supervisor.readProcessStderrLog', 'supervisor.tailProcessStdoutLog', 'supervisor.tailProcessStderrLog',
  'supervisor.clearProcessLogs', 'supervisor.clearAllProcessLogs', 'supervisor.sendProcessStdin',
  'supervisor.sendRemoteCommEvent', 'system.listMethods', 'tsupervisor.reexec', 'tsupervisor.update', 'tsupervisor.planUpdate',
  'tsupervisor.rollingRestart', 'tsupervisor.followLogs', 'tsupervisor.subscribeEvents', 'tsupervisor.processStats',
];

const OLD_STATE_CHANGING = [
  'supervisor.clearLog', 'supervisor.shutdown', 'supervisor.restart', 'supervisor.reloadConfig', 'supervisor.addProcessGroup',
  'supervisor.removeProcessGroup', 'supervisor.startProcess', 'supervisor.startProcessGroup', 'supervisor.startAllProcesses',
  'supervisor.stopProcess', 'supervisor.stopProcessGroup', 'supervisor.stopAllProcesses', 'supervisor.signalProcess',
  'supervisor.signalProcessGroup', 'supervisor.signalAllProcesses', 'supervisor.clearProcessLogs', 'supervisor.clearAllProcessLogs',
  'supervisor.sendProcessStdin', 'supervisor.sendRemoteCommEvent', 'tsupervisor.reexec', 'tsupervisor.update', 'tsupervisor.planUpdate',
  'tsupervisor.rollingRestart',
];

const name = { kind: 'string' };
const wait = { kind: 'boolean', optional: true };
const logRead = { name, offset: { kind: 'number' }, length: { kind: 'number' } };
const signal = { kind: 'string|number' };
/** rpc/validate.ts's SPECS; a method not listed had no params to check. */
const OLD_SPECS: Record<string, Record<string, { kind: string; optional?: boolean }>> = {
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
    from: { kind: 'number[]', optional: true },
  },
  'tsupervisor.subscribeEvents': { types: { kind: 'string[]' }, after: { kind: 'number', optional: true } },
  'tsupervisor.processStats': {},
  'tsupervisor.reexec': {},
};

/** method-map.ts's SUPERVISOR: served name → [target, positional params, required, methodSignature]. */
const OLD_XMLRPC: Record<string, [string, string[], number, string[]]> = {
  'supervisor.addProcessGroup': ['supervisor.addProcessGroup', ['name'], 1, ['boolean', 'string']],
  'supervisor.clearAllProcessLogs': ['supervisor.clearAllProcessLogs', [], 0, ['array']],
  'supervisor.clearLog': ['supervisor.clearLog', [], 0, ['boolean']],
  'supervisor.clearProcessLog': ['supervisor.clearProcessLogs', ['name'], 1, ['boolean', 'string']],
  'supervisor.clearProcessLogs': ['supervisor.clearProcessLogs', ['name'], 1, ['boolean', 'string']],
  'supervisor.getAPIVersion': ['supervisor.getAPIVersion', [], 0, ['string']],
  'supervisor.getAllConfigInfo': ['supervisor.getAllConfigInfo', [], 0, ['array']],
  'supervisor.getAllProcessInfo': ['supervisor.getAllProcessInfo', [], 0, ['array']],
  'supervisor.getIdentification': ['supervisor.getIdentification', [], 0, ['string']],
  'supervisor.getPID': ['supervisor.getPID', [], 0, ['int']],
  'supervisor.getProcessInfo': ['supervisor.getProcessInfo', ['name'], 1, ['struct', 'string']],
  'supervisor.getState': ['supervisor.getState', [], 0, ['struct']],
  'supervisor.getSupervisorVersion': ['supervisor.getSupervisorVersion', [], 0, ['string']],
  'supervisor.getVersion': ['supervisor.getAPIVersion', [], 0, ['string']],
  'supervisor.readLog': ['supervisor.readLog', ['offset', 'length'], 2, ['string', 'int', 'int']],
  'supervisor.readMainLog': ['supervisor.readLog', ['offset', 'length'], 2, ['string', 'int', 'int']],
  'supervisor.readProcessLog': ['supervisor.readProcessStdoutLog', ['name', 'offset', 'length'], 3, ['string', 'string', 'int', 'int']],
  'supervisor.readProcessStderrLog': ['supervisor.readProcessStderrLog', ['name', 'offset', 'length'], 3, ['string', 'string', 'int', 'int']],
  'supervisor.readProcessStdoutLog': ['supervisor.readProcessStdoutLog', ['name', 'offset', 'length'], 3, ['string', 'string', 'int', 'int']],
  'supervisor.reloadConfig': ['supervisor.reloadConfig', [], 0, ['array']],
  'supervisor.removeProcessGroup': ['supervisor.removeProcessGroup', ['name'], 1, ['boolean', 'string']],
  'supervisor.restart': ['supervisor.restart', [], 0, ['boolean']],
  'supervisor.sendProcessStdin': ['supervisor.sendProcessStdin', ['name', 'chars'], 2, ['boolean', 'string', 'string']],
  'supervisor.sendRemoteCommEvent': ['supervisor.sendRemoteCommEvent', ['type', 'data'], 2, ['boolean', 'string', 'string']],
  'supervisor.shutdown': ['supervisor.shutdown', [], 0, ['boolean']],
  'supervisor.signalAllProcesses': ['supervisor.signalAllProcesses', ['signal'], 1, ['array', 'string']],
  'supervisor.signalProcess': ['supervisor.signalProcess', ['name', 'signal'], 2, ['boolean', 'string', 'string']],
  'supervisor.signalProcessGroup': ['supervisor.signalProcessGroup', ['name', 'signal'], 2, ['array', 'string', 'string']],
  'supervisor.startAllProcesses': ['supervisor.startAllProcesses', ['wait'], 0, ['array', 'boolean']],
  'supervisor.startProcess': ['supervisor.startProcess', ['name', 'wait'], 1, ['boolean', 'string', 'boolean']],
  'supervisor.startProcessGroup': ['supervisor.startProcessGroup', ['name', 'wait'], 1, ['array', 'string', 'boolean']],
  'supervisor.stopAllProcesses': ['supervisor.stopAllProcesses', ['wait'], 0, ['array', 'boolean']],
  'supervisor.stopProcess': ['supervisor.stopProcess', ['name', 'wait'], 1, ['boolean', 'string', 'boolean']],
  'supervisor.stopProcessGroup': ['supervisor.stopProcessGroup', ['name', 'wait'], 1, ['array', 'string', 'boolean']],
  'supervisor.tailProcessLog': ['supervisor.tailProcessStdoutLog', ['name', 'offset', 'length'], 3, ['array', 'string', 'int', 'int']],
  'supervisor.tailProcessStderrLog': ['supervisor.tailProcessStderrLog', ['name', 'offset', 'length'], 3, ['array', 'string', 'int', 'int']],
  'supervisor.tailProcessStdoutLog': ['supervisor.tailProcessStdoutLog', ['name', 'offset', 'length'], 3, ['array', 'string', 'int', 'int']],
};

/** method-map.ts's ROLES and ORDER, by target (the aliases shared their target's). */
const OLD_ROLES: Record<string, string[]> = {
  'supervisor.addProcessGroup': ['compared'],
  'supervisor.removeProcessGroup': ['group'],
  'supervisor.clearProcessLogs': ['namespec'],
  'supervisor.getProcessInfo': ['namespec'],
  'supervisor.readLog': ['int', 'int'],
  'supervisor.readProcessStdoutLog': ['namespec', 'int', 'int'],
  'supervisor.readProcessStderrLog': ['namespec', 'int', 'int'],
  'supervisor.tailProcessStdoutLog': ['namespec', 'int', 'int'],
  'supervisor.tailProcessStderrLog': ['namespec', 'int', 'int'],
  'supervisor.sendProcessStdin': ['namespec', 'chars'],
  'supervisor.sendRemoteCommEvent': ['text', 'text'],
  'supervisor.signalProcess': ['namespec', 'signal'],
  'supervisor.signalProcessGroup': ['group', 'each-signal'],
  'supervisor.signalAllProcesses': ['each-signal'],
  'supervisor.startProcess': ['namespec', 'truth'],
  'supervisor.startProcessGroup': ['group', 'truth'],
  'supervisor.startAllProcesses': ['truth'],
  'supervisor.stopProcess': ['namespec', 'truth'],
  'supervisor.stopProcessGroup': ['group', 'truth'],
  'supervisor.stopAllProcesses': ['truth'],
};
const OLD_ORDER: Record<string, number[]> = { 'supervisor.sendProcessStdin': [1, 0] };

test('METHOD_NAMES and STATE_CHANGING are the old lists', () => {
  assert.deepEqual(METHOD_NAMES, OLD_NAMES);
  assert.deepEqual([...STATE_CHANGING].sort(), [...OLD_STATE_CHANGING].sort());
});

test('the parameter specs are the old rpc/validate.ts SPECS', () => {
  for (const method of METHOD_NAMES) {
    const derived = Object.fromEntries(
      Object.entries(METHODS[method].params as Record<string, ParamSpec>).map(([k, { kind, optional }]) => [k, optional ? { kind, optional } : { kind }]),
    );
    assert.deepEqual(derived, OLD_SPECS[method] ?? {}, method);
  }
});

test('the XML-RPC names, targets, params, signatures, roles and orders are the old ones', async () => {
  const noCall = async () => assert.fail('no call');
  assert.equal(XMLRPC_METHODS.length, 41);
  assert.deepEqual(XMLRPC_METHODS, [...Object.keys(OLD_XMLRPC), 'system.listMethods', 'system.methodHelp', 'system.methodSignature', 'system.multicall'].sort());
  assert.deepEqual(Object.keys(XMLRPC_SERVED).sort(), Object.keys(OLD_XMLRPC).sort());
  for (const [served, [target, params, required, types]] of Object.entries(OLD_XMLRPC)) {
    const { target: t, shape } = XMLRPC_SERVED[served]!;
    assert.equal(t, target, served);
    assert.deepEqual(shape.params.map(([p]) => p), params, served);
    assert.equal(shape.required, required, served);
    assert.deepEqual(await callMethod('system.methodSignature', [served], noCall), types, served);
    const roles = shape.params.map(([, , role]) => role);
    assert.deepEqual(roles, OLD_ROLES[target] ?? [], served);
    assert.deepEqual(shape.order, OLD_ORDER[target], served);
    assert.ok(METHOD_NAMES.includes(t as MethodName));
  }
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Faults, RPCFault } from '@tsupervisor/protocol';
import {
  ConnectError, Exit, PythonError, clearResultText, exitAfterResult, faultOutcome, pyRepr, signalResultText,
  startResultText, unexpectedErrorLine,
} from '../src/render/faults.js';

const r = (status: number, name: string | null = 'a', group = 'g', description = '') => ({ name, group, status, description });

describe('exit statuses from result codes (set_exitstatus_from_xmlrpc_fault)', () => {
  test('success and the ignored code keep it; dead programs 7; others 1', () => {
    assert.equal(exitAfterResult(0, Faults.SUCCESS), 0);
    assert.equal(exitAfterResult(3, Faults.SUCCESS), 3);
    assert.equal(exitAfterResult(0, Faults.ALREADY_STARTED, Faults.ALREADY_STARTED), 0);
    assert.equal(exitAfterResult(0, Faults.NOT_RUNNING, Faults.NOT_RUNNING), 0);
    for (const dead of [Faults.SPAWN_ERROR, Faults.ABNORMAL_TERMINATION, Faults.NOT_RUNNING]) assert.equal(exitAfterResult(0, dead), Exit.NOT_RUNNING);
    for (const other of [Faults.BAD_NAME, Faults.NO_FILE, Faults.NOT_EXECUTABLE, Faults.FAILED, Faults.BAD_SIGNAL]) assert.equal(exitAfterResult(0, other), Exit.GENERIC);
  });
});

describe('result texts', () => {
  test('start', () => {
    assert.equal(startResultText(r(Faults.SUCCESS)), 'g:a: started');
    assert.equal(startResultText(r(Faults.BAD_NAME, 'x', 'x')), 'x: ERROR (no such process)');
    assert.equal(startResultText(r(Faults.NO_FILE)), 'g:a: ERROR (no such file)');
    assert.equal(startResultText(r(Faults.NOT_EXECUTABLE)), 'g:a: ERROR (file is not executable)');
    assert.equal(startResultText(r(Faults.ALREADY_STARTED)), 'g:a: ERROR (already started)');
    assert.equal(startResultText(r(Faults.SPAWN_ERROR)), 'g:a: ERROR (spawn error)');
    assert.equal(startResultText(r(Faults.ABNORMAL_TERMINATION)), 'g:a: ERROR (abnormal termination)');
    assert.throws(() => startResultText(r(Faults.SHUTDOWN_STATE)), (e: PythonError) =>
      e.render() === "error: <class 'ValueError'>, Unknown result code 6 for g:a: file: /usr/lib/python3/dist-packages/supervisor/supervisorctl.py line: 761");
  });
  test('stop and signal', () => {
    assert.equal(signalResultText(r(Faults.SUCCESS), 'stopped'), 'g:a: stopped');
    assert.equal(signalResultText(r(Faults.SUCCESS)), 'g:a: signalled');
    assert.equal(signalResultText(r(Faults.NOT_RUNNING)), 'g:a: ERROR (not running)');
    assert.equal(signalResultText(r(Faults.BAD_SIGNAL)), 'g:a: ERROR (bad signal name)');
    assert.equal(signalResultText(r(Faults.BAD_NAME)), 'g:a: ERROR (no such process)');
    assert.equal(signalResultText(r(Faults.FAILED, 'a', 'g', 'FAILED: boom')), 'FAILED: boom');
  });
  test('clear', () => {
    assert.equal(clearResultText(r(Faults.SUCCESS)), 'g:a: cleared');
    assert.equal(clearResultText(r(Faults.BAD_NAME, null)), 'g:None: ERROR (no such process)');
    assert.equal(clearResultText(r(Faults.FAILED)), 'g:a: ERROR (failed)');
  });
  test('a single call fault becomes an outcome with the full fault string', () => {
    assert.deepEqual(faultOutcome(new RPCFault(Faults.FAILED, 'x'), 'g', 'a'), { name: 'a', group: 'g', status: 30, description: 'FAILED: x' });
  });
});

describe('the catch-all error line', () => {
  test('faults as xmlrpclib prints them', () => {
    assert.equal(
      unexpectedErrorLine(new RPCFault(Faults.CANT_REREAD, "invalid literal for int() with base 10: 'abc'")),
      `error: <class 'xmlrpc.client.Fault'>, <Fault 92: "CANT_REREAD: invalid literal for int() with base 10: 'abc'">: file: /usr/lib/python3.11/xmlrpc/client.py line: 668`,
    );
    assert.equal(
      unexpectedErrorLine(new RPCFault(Faults.SHUTDOWN_STATE)),
      "error: <class 'xmlrpc.client.Fault'>, <Fault 6: 'SHUTDOWN_STATE'>: file: /usr/lib/python3.11/xmlrpc/client.py line: 668",
    );
  });
  test('socket errors', () => {
    assert.equal(
      unexpectedErrorLine(new ConnectError('ECONNREFUSED', '')),
      "error: <class 'ConnectionRefusedError'>, [Errno 111] Connection refused: file: /usr/lib/python3/dist-packages/supervisor/xmlrpc.py line: 557",
    );
    assert.equal(
      unexpectedErrorLine(new ConnectError('ENOENT', '')),
      "error: <class 'FileNotFoundError'>, [Errno 2] No such file or directory: file: /usr/lib/python3/dist-packages/supervisor/xmlrpc.py line: 557",
    );
  });
  test('repr of str', () => {
    assert.equal(pyRepr('a'), "'a'");
    assert.equal(pyRepr("it's"), '"it\'s"');
    assert.equal(pyRepr('both \' and "'), "'both \\' and \"'");
    assert.equal(pyRepr('a\nb\\'), "'a\\nb\\\\'");
  });
});

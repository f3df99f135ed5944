/**
 * The XML-RPC codec: what Python's xmlrpc.client sends is read (types, entities, CDATA,
 * nesting), what it writes for results and faults is written byte for byte, and bad documents
 * (unclosed, mismatched, a DTD, too deep, a bad int) are refused with XmlRpcParseError.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeFault, encodeResponse, parseMethodCall, XmlRpcParseError } from '../src/xmlrpc/codec.js';
import { callMethod, XMLRPC_METHODS } from '../src/xmlrpc/method-map.js';
import { Faults, RPCFault } from '@tsupervisor/protocol';

test('a methodCall as xmlrpc.client writes it', () => {
  // xmlrpc.client.dumps(('a&b', 5, True, [1, 'x'], {'k': -2}, 1.5), 'supervisor.x')
  const doc =
    "<?xml version='1.0'?>\n<methodCall>\n<methodName>supervisor.x</methodName>\n<params>\n" +
    '<param>\n<value><string>a&amp;b</string></value>\n</param>\n' +
    '<param>\n<value><int>5</int></value>\n</param>\n' +
    '<param>\n<value><boolean>1</boolean></value>\n</param>\n' +
    '<param>\n<value><array><data>\n<value><int>1</int></value>\n<value><string>x</string></value>\n</data></array></value>\n</param>\n' +
    '<param>\n<value><struct>\n<member>\n<name>k</name>\n<value><int>-2</int></value>\n</member>\n</struct></value>\n</param>\n' +
    '<param>\n<value><double>1.5</double></value>\n</param>\n' +
    '</params>\n</methodCall>\n';
  assert.deepEqual(parseMethodCall(doc), { method: 'supervisor.x', params: ['a&b', 5, true, [1, 'x'], { k: -2 }, 1.5] });
});

test('untyped values are strings; entities, character references, CDATA and comments', () => {
  const doc =
    '<methodCall><!-- hi --><methodName>m</methodName><params>' +
    '<param><value>plain &lt;text&gt; &#233;&#x41;</value></param>' +
    '<param><value><string><![CDATA[<raw & stuff>]]></string></value></param>' +
    '<param><value><i4>7</i4></value></param>' +
    '<param><value><base64>aGk=</base64></value></param>' +
    '<param><value></value></param>' +
    '</params></methodCall>';
  assert.deepEqual(parseMethodCall(doc).params, ['plain <text> éA', '<raw & stuff>', 7, 'hi', '']);
  assert.deepEqual(parseMethodCall('<methodCall><methodName>system.listMethods</methodName></methodCall>'), { method: 'system.listMethods', params: [] });
});

test('bad documents are refused', () => {
  for (const doc of [
    '',
    'not xml',
    '<methodCall><methodName>m</methodName>',
    '<methodCall><methodName>m</methodCall>',
    '<!DOCTYPE m [<!ENTITY e "x">]><methodCall><methodName>&e;</methodName></methodCall>',
    '<methodCall><methodName>m &bogus;</methodName></methodCall>',
    '<methodCall><params/></methodCall>',
    '<other><methodName>m</methodName></other>',
    '<methodCall><methodName>m</methodName><params><param><value><int>x</int></value></param></params></methodCall>',
    '<methodCall><methodName>m</methodName></methodCall><methodCall/>',
    '<methodCall><methodName>m</methodName><params><param><value>' + '<array><data><value>'.repeat(100) + '</params></methodCall>',
  ]) {
    assert.throws(() => parseMethodCall(doc), XmlRpcParseError, doc.slice(0, 60));
  }
});

test('responses and faults are written as xmlrpc.client.dumps writes them', () => {
  assert.equal(
    encodeResponse([1, 'a', { k: true }]),
    "<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n<value><array><data>\n<value><int>1</int></value>\n<value><string>a</string></value>\n<value><struct>\n<member>\n<name>k</name>\n<value><boolean>1</boolean></value>\n</member>\n</struct></value>\n</data></array></value>\n</param>\n</params>\n</methodResponse>\n",
  );
  assert.equal(
    encodeFault(10, 'BAD_NAME: foo'),
    "<?xml version='1.0'?>\n<methodResponse>\n<fault>\n<value><struct>\n<member>\n<name>faultCode</name>\n<value><int>10</int></value>\n</member>\n<member>\n<name>faultString</name>\n<value><string>BAD_NAME: foo</string></value>\n</member>\n</struct></value>\n</fault>\n</methodResponse>\n",
  );
  assert.match(encodeResponse('a<b&c>'), /<string>a&lt;b&amp;c&gt;<\/string>/);
});

test('the method map: arity, aliases, result shapes, multicall', async () => {
  const calls: Array<[string, Record<string, unknown>]> = [];
  const invoke = async (method: string, params: Record<string, unknown>) => {
    calls.push([method, params]);
    if (method === 'supervisor.getProcessInfo' && params['name'] === 'nope') throw new RPCFault(Faults.BAD_NAME, 'nope');
    if (method.startsWith('supervisor.tail')) return { bytes: 'xy', offset: 2, overflow: false };
    if (method === 'supervisor.reloadConfig') return { added: ['n'], changed: [], removed: ['o'] };
    return 'r';
  };
  assert.deepEqual(await callMethod('supervisor.tailProcessLog', ['a', 0, 10], invoke), ['xy', 2, false]);
  assert.deepEqual(calls.pop(), ['supervisor.tailProcessStdoutLog', { name: 'a', offset: 0, length: 10 }]);
  assert.deepEqual(await callMethod('supervisor.reloadConfig', [], invoke), [[['n'], [], ['o']]]);
  assert.equal(await callMethod('supervisor.startProcess', ['a'], invoke), 'r');
  assert.deepEqual(calls.pop(), ['supervisor.startProcess', { name: 'a' }]);
  await assert.rejects(callMethod('supervisor.startProcess', [], invoke), (e: RPCFault) => e.code === Faults.INCORRECT_PARAMETERS);
  await assert.rejects(callMethod('supervisor.startProcess', ['a', true, 1], invoke), (e: RPCFault) => e.code === Faults.INCORRECT_PARAMETERS);
  await assert.rejects(callMethod('supervisor._private', [], invoke), (e: RPCFault) => e.message === 'UNKNOWN_METHOD');
  await assert.rejects(callMethod('tsupervisor.update', [], invoke), (e: RPCFault) => e.code === Faults.UNKNOWN_METHOD);
  assert.deepEqual(await callMethod('system.multicall', [[{ methodName: 'supervisor.getPID' }, { methodName: 'supervisor.getProcessInfo', params: ['nope'] }]], invoke), [
    'r',
    { faultCode: 10, faultString: 'BAD_NAME: nope' },
  ]);
  assert.equal(XMLRPC_METHODS.length, 41);
});

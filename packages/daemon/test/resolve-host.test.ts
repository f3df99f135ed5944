// fcgi socket host names resolved as supervisor does (first IPv4 address), numeric ones untouched.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { numericHost } from '../src/sockets/resolve-host.js';

test('numeric addresses and the wildcard are used as written', () => {
  for (const host of ['127.0.0.1', '::1', 'fe80::1', '', '*']) assert.equal(numericHost(host), host);
});

test('a name resolves through the system resolver to an IPv4 address', () => {
  assert.equal(numericHost('localhost'), '127.0.0.1');
});

test('an unknown name is a clear error', () => {
  assert.throws(() => numericHost('no-such-host.invalid'), /cannot resolve host 'no-such-host\.invalid' to an IPv4 address/);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configSearchPaths, findConfigFile, noConfigFileMessage } from '../src/config/discover.js';

const opts = { execPath: '/opt/tsv/bin/tsupervisord', cwd: '/srv/app' };

test('search order of reference §0, relative to the executable and the cwd', () => {
  assert.deepEqual(configSearchPaths(opts), [
    '/opt/tsv/etc/supervisord.conf',
    '/opt/tsv/supervisord.conf',
    '/srv/app/supervisord.conf',
    '/srv/app/etc/supervisord.conf',
    '/etc/supervisord.conf',
    '/etc/supervisor/supervisord.conf',
  ]);
});

test('the first existing file wins; none → null', () => {
  const existing = (...paths: string[]) => (p: string) => paths.includes(p);
  assert.equal(findConfigFile({ ...opts, exists: existing('/etc/supervisor/supervisord.conf', '/srv/app/etc/supervisord.conf') }), '/srv/app/etc/supervisord.conf');
  assert.equal(findConfigFile({ ...opts, exists: existing('/etc/supervisor/supervisord.conf') }), '/etc/supervisor/supervisord.conf');
  assert.equal(findConfigFile({ ...opts, exists: existing('/opt/tsv/etc/supervisord.conf', '/etc/supervisord.conf') }), '/opt/tsv/etc/supervisord.conf');
  assert.equal(findConfigFile({ ...opts, exists: () => false }), null);
});

test('a relative executable path resolves against the cwd', () => {
  assert.equal(configSearchPaths({ execPath: 'node_modules/.bin/tsupervisord', cwd: '/srv/app' })[0], '/srv/app/node_modules/etc/supervisord.conf');
});

test('supervisor\'s message when nothing is found', () => {
  assert.match(noConfigFileMessage(opts), /^No config file found at default paths \(\/opt\/tsv\/etc\/supervisord\.conf, .*\/etc\/supervisor\/supervisord\.conf\); use the -c option to specify a config file at a different path$/);
});

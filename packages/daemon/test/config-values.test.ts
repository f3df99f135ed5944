import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BadValue } from '../src/config/errors.js';
import { expand } from '../src/config/expand.js';
import { fnmatchToRegex } from '../src/config/glob.js';
import { keyValueTokens, splitCommand } from '../src/config/shlex.js';
import { toSocketAddress } from '../src/config/sockets.js';
import { nameToGid, nameToUid, toOwner } from '../src/config/users.js';
import {
  toAutoRestart,
  toBoolean,
  toByteSize,
  toExitCodes,
  toInetAddress,
  toInteger,
  toKeyValuePairs,
  toLogLevel,
  toOctal,
  toProcessOrGroupName,
  toSignalName,
} from '../src/config/values.js';
import { TEST_USERS } from './fixtures/config/helpers.js';

const bad = (fn: () => unknown, reason?: RegExp) => assert.throws(fn, (e: unknown) => e instanceof BadValue && (!reason || reason.test(e.message)));

test('boolean: true/false yes/no on/off 1/0, any case', () => {
  for (const s of ['true', 'TRUE', 'Yes', 'on', '1']) assert.equal(toBoolean(s), true);
  for (const s of ['false', 'No', 'OFF', '0']) assert.equal(toBoolean(s), false);
  for (const s of ['maybe', '', '2', 'y']) bad(() => toBoolean(s), /not a valid boolean/);
});

test('integer as Python int(): sign, underscores, surrounding spaces', () => {
  assert.equal(toInteger('42'), 42);
  assert.equal(toInteger('-1'), -1);
  assert.equal(toInteger('+7'), 7);
  assert.equal(toInteger(' 1_000 '), 1000);
  for (const s of ['abc', '1.5', '', '1e3', '0x10', '_1']) bad(() => toInteger(s), /not an integer/);
});

test('octal as int(s, 8)', () => {
  assert.equal(toOctal('022'), 0o22);
  assert.equal(toOctal('0o755'), 0o755);
  assert.equal(toOctal('777'), 0o777);
  assert.equal(toOctal('0'), 0);
  bad(() => toOctal('999'), /999 can not be converted to an octal type/);
  bad(() => toOctal('rw'), /octal/);
});

test('byte sizes: KB/MB/GB any case, plain bytes, 0', () => {
  assert.equal(toByteSize('50MB'), 50 * 1024 * 1024);
  assert.equal(toByteSize('10kb'), 10240);
  assert.equal(toByteSize('1Gb'), 1024 ** 3);
  assert.equal(toByteSize('1024'), 1024);
  assert.equal(toByteSize('0'), 0);
  assert.equal(toByteSize('5 MB'), 5 * 1024 * 1024);
  for (const s of ['10XB', '1.5MB', 'MB', '', '10 B']) bad(() => toByteSize(s), /byte size/);
});

test('signals: names with or without SIG, numbers → canonical names', () => {
  assert.equal(toSignalName('TERM'), 'TERM');
  assert.equal(toSignalName('sigterm'), 'TERM');
  assert.equal(toSignalName(' hup '), 'HUP');
  assert.equal(toSignalName('9'), 'KILL');
  assert.equal(toSignalName('USR2'), 'USR2');
  assert.equal(toSignalName('IOT'), 'ABRT');
  bad(() => toSignalName('FOO'), /value 'FOO' is not a valid signal name/);
  bad(() => toSignalName('99'), /not a valid signal number/);
});

test('exit codes: comma list of 0..255, empty = none', () => {
  assert.deepEqual(toExitCodes('0'), [0]);
  assert.deepEqual(toExitCodes('0, 2,255'), [0, 2, 255]);
  assert.deepEqual(toExitCodes(''), []);
  bad(() => toExitCodes('0,256'), /not a valid list of exit codes: '0,256'/);
  bad(() => toExitCodes('0,,1'), /exit codes/);
  bad(() => toExitCodes('-1'), /exit codes/);
});

test('autorestart: booleans or unexpected', () => {
  assert.equal(toAutoRestart('true'), 'true');
  assert.equal(toAutoRestart('ON'), 'true');
  assert.equal(toAutoRestart('0'), 'false');
  assert.equal(toAutoRestart('Unexpected'), 'unexpected');
  bad(() => toAutoRestart('sometimes'), /invalid 'autorestart' value 'sometimes'/);
});

test('log levels', () => {
  assert.equal(toLogLevel('INFO'), 'info');
  assert.equal(toLogLevel('blather'), 'blather');
  bad(() => toLogLevel('loud'), /bad logging level name 'loud'/);
  bad(() => toLogLevel('warning'), /bad logging level/);
});

test('process and group names refuse space, colon and slash', () => {
  assert.equal(toProcessOrGroupName(' web '), 'web');
  bad(() => toProcessOrGroupName('a b'), /Invalid name: 'a b' because of character: ' '/);
  bad(() => toProcessOrGroupName('a:b'), /character: ':'/);
  bad(() => toProcessOrGroupName('a/b'), /character: '\/'/);
});

test('fcgi socket URLs: tcp, IPv6 in brackets (stripped), unix absolute', () => {
  assert.deepEqual(toSocketAddress('tcp://127.0.0.1:9000'), { kind: 'tcp', host: '127.0.0.1', port: 9000, url: 'tcp://127.0.0.1:9000' });
  assert.deepEqual(toSocketAddress('tcp://LocalHost:9000'), { kind: 'tcp', host: 'localhost', port: 9000, url: 'tcp://localhost:9000' });
  assert.deepEqual(toSocketAddress('tcp://[::1]:9001'), { kind: 'tcp', host: '::1', port: 9001, url: 'tcp://[::1]:9001' });
  assert.deepEqual(toSocketAddress('tcp://[FE80::1]:80'), { kind: 'tcp', host: 'fe80::1', port: 80, url: 'tcp://[fe80::1]:80' });
  assert.deepEqual(toSocketAddress('unix:///run/app/../app.sock'), { kind: 'unix', path: '/run/app.sock', url: 'unix:///run/app.sock' });
  bad(() => toSocketAddress('unix://rel/path'), /Unix socket path rel\/path is not an absolute path/);
  bad(() => toSocketAddress('tcp://host'), /Bad socket format/);
  bad(() => toSocketAddress('tcp://::1:9000'), /Bad socket format/);
  bad(() => toSocketAddress('http://x:1'), /Bad socket format/);
  bad(() => toSocketAddress('tcp://x:0'), /below lower bound/);
  bad(() => toSocketAddress('tcp://x:70000'), /above upper bound/);
});

test('inet_http_server port: host:port, :port, *:port, port', () => {
  assert.deepEqual(toInetAddress('127.0.0.1:9001'), { host: '127.0.0.1', port: 9001 });
  assert.deepEqual(toInetAddress(':9001'), { host: '', port: 9001 });
  assert.deepEqual(toInetAddress('*:9001'), { host: '', port: 9001 });
  assert.deepEqual(toInetAddress('9001'), { host: '', port: 9001 });
  assert.deepEqual(toInetAddress('[::1]:9001'), { host: '::1', port: 9001 });
  bad(() => toInetAddress('abc'), /not a valid port number: 'abc'/);
  bad(() => toInetAddress('host:'), /no port number/);
});

test('users and groups: names, ids, user:group', () => {
  assert.equal(nameToUid(TEST_USERS, 'www-data'), 33);
  assert.equal(nameToUid(TEST_USERS, '65534'), 65534);
  assert.equal(nameToGid(TEST_USERS, 'nogroup'), 65534);
  bad(() => nameToUid(TEST_USERS, 'nosuchuser'), /^Invalid user name nosuchuser$/);
  bad(() => nameToUid(TEST_USERS, '4242'), /^Invalid user id 4242$/);
  bad(() => nameToGid(TEST_USERS, 'nosuchgroup'), /^Invalid group name nosuchgroup$/);
  assert.deepEqual(toOwner(TEST_USERS, 'nobody'), { user: 'nobody', group: null, uid: 65534, gid: -1 });
  assert.deepEqual(toOwner(TEST_USERS, 'nobody:www-data'), { user: 'nobody', group: 'www-data', uid: 65534, gid: 33 });
  bad(() => toOwner(TEST_USERS, 'nobody:nogroupx'), /Invalid user:group definition nobody:nogroupx/);
});

// Expected results below come from Python 3.11's shlex.split and supervisor's
// dict_of_key_value_pairs / expand on the same input.

test('command splitting follows shlex.split (POSIX)', () => {
  assert.deepEqual(splitCommand('a b c'), ['a', 'b', 'c']);
  assert.deepEqual(splitCommand("a 'b c' d"), ['a', 'b c', 'd']);
  assert.deepEqual(splitCommand('a "b \\" c" d'), ['a', 'b " c', 'd']);
  assert.deepEqual(splitCommand('a\\ b'), ['a b']);
  assert.deepEqual(splitCommand("'' x"), ['', 'x']);
  assert.deepEqual(splitCommand('a"b"c'), ['abc']);
  assert.deepEqual(splitCommand('x "a\\nb" y'), ['x', 'a\\nb', 'y']);
  assert.deepEqual(splitCommand("sh -c 'echo $HOME; exit 1'"), ['sh', '-c', 'echo $HOME; exit 1']);
  assert.deepEqual(splitCommand('  lead trail  '), ['lead', 'trail']);
  assert.deepEqual(splitCommand('a\nb\tc'), ['a', 'b', 'c']);
  assert.deepEqual(splitCommand('"\\\\"'), ['\\']);
  assert.deepEqual(splitCommand("'\\\\'"), ['\\\\']);
  assert.deepEqual(splitCommand('a#b # c'), ['a#b', '#', 'c']);
  assert.deepEqual(splitCommand('x""'), ['x']);
  assert.deepEqual(splitCommand(''), []);
  bad(() => splitCommand('"unclosed'), /No closing quotation/);
  bad(() => splitCommand('trail\\'), /No escaped character/);
});

test('environment= as dict_of_key_value_pairs', () => {
  assert.deepEqual(toKeyValuePairs('A=1,B=2'), { A: '1', B: '2' });
  assert.deepEqual(toKeyValuePairs('A="x,y",B=\'z\''), { A: 'x,y', B: 'z' });
  assert.deepEqual(toKeyValuePairs('A=1, B=2'), { A: '1', B: '2' });
  assert.deepEqual(toKeyValuePairs('A=/a/b:c'), { A: '/a/b:c' });
  assert.deepEqual(toKeyValuePairs('A=x#y,B=2'), { A: 'x' });
  assert.deepEqual(toKeyValuePairs('A=""'), { A: '' });
  assert.deepEqual(toKeyValuePairs('PATH="/usr/bin:/bin",HOME="/root"'), { PATH: '/usr/bin:/bin', HOME: '/root' });
  assert.deepEqual(toKeyValuePairs('\nA="1",\nB="2"'), { A: '1', B: '2' });
  assert.deepEqual(toKeyValuePairs('A=café'), { A: 'caf' });
  assert.deepEqual(toKeyValuePairs('A=a-b.c+d(e):f'), { A: 'a-b.c+d(e):f' });
  assert.deepEqual(toKeyValuePairs('A=ab"c d"'), { A: 'ab"c' });
  assert.deepEqual(toKeyValuePairs('A=1;B=2'), { A: '1', B: '2' });
  assert.deepEqual(toKeyValuePairs(''), {});
  assert.deepEqual(keyValueTokens('A="x y",B'), ['A', '=', '"x y"', ',', 'B']);
  bad(() => toKeyValuePairs('A=1 B=2'), /Unexpected end of key\/value pairs in value 'A=1 B=2'/);
  bad(() => toKeyValuePairs('A=1,B'), /Unexpected end of key\/value pairs/);
  bad(() => toKeyValuePairs('A="unterminated'), /No closing quotation/);
});

test('%-expansion as Python s % mapping', () => {
  assert.equal(expand('%(a)s', { a: 'x' }, 'k'), 'x');
  assert.equal(expand('%(n)02d', { n: 3 }, 'k'), '03');
  assert.equal(expand('%(n)d-%(n)3d-%(n)-3d|', { n: 7 }, 'k'), '7-  7-7  |');
  assert.equal(expand('100%%', {}, 'k'), '100%');
  assert.equal(expand('%(n)x %(n)#o %(n)X', { n: 255 }, 'k'), 'ff 0o377 FF');
  assert.equal(expand('%(a)r', { a: "it's" }, 'k'), '"it\'s"');
  assert.equal(expand('%(a)5s|%(a)-5s|%(a).1s', { a: 'ab' }, 'k'), '   ab|ab   |a');
  assert.equal(expand('%(n)05.1f', { n: 3 }, 'k'), '003.0');
  assert.equal(expand('%(n)e %(n)g', { n: 123456789 }, 'k'), '1.234568e+08 1.23457e+08');
  assert.equal(expand('%(n)c', { n: 65 }, 'k'), 'A');
  assert.equal(expand('no format', {}, 'k'), 'no format');
});

test('%-expansion errors carry supervisor\'s text', () => {
  bad(
    () => expand('sleep %(foo)s', { here: '/etc', program_name: 'a' }, 'program:a.command'),
    /^Format string 'sleep %\(foo\)s' for 'program:a\.command' contains names \('foo'\) which cannot be expanded\. Available names: here, program_name$/,
  );
  bad(() => expand('%(a)d', { a: 'x' }, 'lbl'), /^Format string '%\(a\)d' for 'lbl' is badly formatted: %d format: a real number is required, not str$/);
  bad(() => expand('50%', {}, 'lbl'), /badly formatted: incomplete format/);
  bad(() => expand('%(a)q', { a: 1 }, 'lbl'), /unsupported format character 'q' \(0x71\) at index 4/);
  bad(() => expand('%(a)', { a: 1 }, 'lbl'), /incomplete format/);
  // supervisord formats its whole dict of expansions there; tsupervisor refuses and says why
  bad(
    () => expand('/bin/echo %s', { a: 1 }, 'program:e.command'),
    /^Format string '\/bin\/echo %s' for 'program:e\.command' is badly formatted: %s names no expansion: supervisord would put its whole dict of expansions there \(every ENV_ variable included\); tsupervisor refuses it: write %\(name\)s, or %%s for a literal %s$/,
  );
  bad(() => expand('%-5r', { a: 1 }, 'lbl'), /%-5r names no expansion: .* or %%-5r for a literal %-5r$/);
});

test('fnmatch patterns for include globs', () => {
  assert.ok(fnmatchToRegex('*.conf').test('a.conf'));
  assert.ok(!fnmatchToRegex('*.conf').test('a.conf.bak'));
  assert.ok(fnmatchToRegex('?.ini').test('x.ini'));
  assert.ok(fnmatchToRegex('[ab]*.conf').test('b1.conf'));
  assert.ok(!fnmatchToRegex('[!ab]*.conf').test('b1.conf'));
  assert.ok(fnmatchToRegex('[x').test('[x'));
});

test('stopsignal: Python int() spellings; 0 (SIG_DFL) is no signal to stop with', () => {
  assert.equal(toSignalName('1_5'), 'TERM');
  assert.equal(toSignalName('+9'), 'KILL');
  assert.equal(toSignalName('RTMIN'), 'RTMIN');
  assert.throws(() => toSignalName('0'), /value '0' is not a valid signal number/);
  assert.throws(() => toSignalName('-1'), /value '-1' is not a valid signal number/);
});

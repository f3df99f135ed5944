import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseLine } from '../src/dispatch.js';
import { GetoptError, getopt } from '../src/getopt.js';
import { IniError, expand, getOption, parseIni } from '../src/ini.js';
import { makeNamespec, splitNamespec, splitWords } from '../src/namespec.js';
import { type Environment, HelpRequested, UsageError, realize, searchPaths } from '../src/options.js';

describe('namespecs', () => {
  test('split_namespec', () => {
    assert.deepEqual(splitNamespec('g:*'), ['g', null]);
    assert.deepEqual(splitNamespec('g:'), ['g', null]);
    assert.deepEqual(splitNamespec('g:a'), ['g', 'a']);
    assert.deepEqual(splitNamespec('name'), ['name', 'name']);
    assert.deepEqual(splitNamespec('g:a:b'), ['g', 'a:b']);
    assert.deepEqual(splitNamespec(':a'), ['', 'a']);
  });
  test('make_namespec', () => {
    assert.equal(makeNamespec('a', 'a'), 'a');
    assert.equal(makeNamespec('g', 'a'), 'g:a');
    assert.equal(makeNamespec('g', null), 'g:None');
  });
  test('split words', () => {
    assert.deepEqual(splitWords('  a \t b  '), ['a', 'b']);
    assert.deepEqual(splitWords(''), []);
  });
});

describe('cmd.Cmd parseline', () => {
  test('verbs and args', () => {
    assert.deepEqual(parseLine('  status  a b '), { cmd: 'status', arg: 'a b', line: 'status  a b' });
    assert.deepEqual(parseLine('status;'), { cmd: 'status', arg: ';', line: 'status;' });
    assert.deepEqual(parseLine('? tail'), { cmd: 'help', arg: 'tail', line: 'help  tail' });
    assert.deepEqual(parseLine('!ls'), { cmd: null, arg: '', line: '!ls' });
    assert.deepEqual(parseLine(':x'), { cmd: '', arg: ':x', line: ':x' });
    assert.deepEqual(parseLine('   '), { cmd: null, arg: '', line: '' });
  });
});

describe('getopt', () => {
  const SHORT = 'h?c:is:u:p:r:';
  const LONG = ['help', 'configuration=', 'interactive', 'serverurl=', 'history_file=', 'json', 'color', 'no-color'];
  test('stops at the first word; clusters; attached values', () => {
    assert.deepEqual(getopt(['-ic', 'f', 'status', '-c', 'x'], SHORT, LONG), {
      options: [['-i', ''], ['-c', 'f']],
      args: ['status', '-c', 'x'],
    });
    assert.deepEqual(getopt(['-cfile', '--', '-x'], SHORT, LONG).args, ['-x']);
    assert.deepEqual(getopt(['-', 'a'], SHORT, LONG).args, ['-', 'a']);
  });
  test('long options: unique prefixes, =values', () => {
    assert.deepEqual(getopt(['--conf=a', '--serv', 'u'], SHORT, LONG).options, [['--configuration', 'a'], ['--serverurl', 'u']]);
    assert.deepEqual(getopt(['--no-color'], SHORT, LONG).options, [['--no-color', '']]);
  });
  test("getopt's messages", () => {
    assert.throws(() => getopt(['-x'], SHORT, LONG), { message: 'option -x not recognized' });
    assert.throws(() => getopt(['-c'], SHORT, LONG), { message: 'option -c requires argument' });
    assert.throws(() => getopt(['--bogus'], SHORT, LONG), { message: 'option --bogus not recognized' });
    assert.throws(() => getopt(['--co'], SHORT, LONG), { message: 'option --co not a unique prefix' });
    assert.throws(() => getopt(['--interactive=1'], SHORT, LONG), { message: 'option --interactive must not have an argument' });
    assert.throws(() => getopt(['--configuration'], SHORT, LONG), { message: 'option --configuration requires argument' });
    assert.throws(() => getopt(['-q'], SHORT, LONG), GetoptError);
  });
});

function fakeEnv(files: Record<string, string>, over: Partial<Environment> = {}): Environment {
  return {
    argv0: '/opt/tsv/bin/tsupervisorctl',
    env: { HOME: '/home/u', SOCKDIR: '/run/s' },
    cwd: '/srv/app',
    exists: (f) => Object.prototype.hasOwnProperty.call(files, f),
    readFile: (f) => files[f],
    ...over,
  };
}

describe('ClientOptions', () => {
  test('search order relative to the executable, then the cwd, then /etc', () => {
    assert.deepEqual(searchPaths('/opt/tsv/bin/tsupervisorctl'), [
      '/opt/tsv/etc/supervisord.conf', '/opt/tsv/supervisord.conf', 'supervisord.conf', 'etc/supervisord.conf',
      '/etc/supervisord.conf', '/etc/supervisor/supervisord.conf',
    ]);
  });
  test('no config at all: defaults, interactive without a command', () => {
    const s = realize([], fakeEnv({}));
    assert.equal(s.serverurl, 'http://localhost:9001');
    assert.equal(s.prompt, 'supervisor');
    assert.equal(s.interactive, true);
    assert.equal(s.configfile, null);
  });
  test('found config: [supervisorctl] with %(here)s, ENV, prompt, history', () => {
    const conf = '[supervisorctl]\nserverurl = unix://%(here)s/../run/sock ; comment\nprompt=%(ENV_SOCKDIR)s\nusername=u\npassword=p#not comment\nhistory_file=~/.h\n';
    const s = realize(['status'], fakeEnv({ 'etc/supervisord.conf': conf }));
    assert.equal(s.configfile, 'etc/supervisord.conf');
    assert.equal(s.serverurl, 'unix:///srv/app/run/sock');
    assert.equal(s.prompt, '/run/s');
    assert.equal(s.username, 'u');
    assert.equal(s.password, 'p#not comment');
    assert.equal(s.historyFile, '/home/u/.h');
    assert.equal(s.interactive, false);
    assert.deepEqual(s.args, ['status']);
  });
  test('no serverurl: the same file\'s [unix_http_server] socket (supervisorctl would try http://localhost:9001)', () => {
    const conf = '[unix_http_server]\nfile=%(here)s/run/tsv.sock\n[supervisorctl]\nprompt=x\n';
    assert.equal(realize(['status'], fakeEnv({ '/etc/supervisord.conf': conf })).serverurl, 'unix:///etc/run/tsv.sock');
    assert.equal(realize(['status'], fakeEnv({ '/etc/supervisord.conf': '[supervisorctl]\n' })).serverurl, 'http://localhost:9001');
  });
  test('command line beats the file', () => {
    const conf = '[supervisorctl]\nserverurl=unix:///a\nusername=file\n';
    const s = realize(['-c', '/c.conf', '-s', 'unix:///b', '-u', 'cli', '-i', '--json', '--no-color', 'pid'], fakeEnv({ '/c.conf': conf }));
    assert.equal(s.serverurl, 'unix:///b');
    assert.equal(s.username, 'cli');
    assert.equal(s.interactive, true);
    assert.equal(s.json, true);
    assert.equal(s.color, false);
  });
  test('usage errors', () => {
    assert.throws(() => realize(['-c', '/none'], fakeEnv({})), new UsageError('could not find config file /none'));
    assert.throws(() => realize(['-c', '/c'], fakeEnv({ '/c': '[supervisord]\n' })), new UsageError('.ini file does not include supervisorctl section'));
    assert.throws(() => realize(['-s', 'nope'], fakeEnv({})), new UsageError("invalid value for -s 'nope': value 'nope' is not a URL"));
    assert.throws(() => realize(['-c', 'a', '-c', 'b'], fakeEnv({})), new UsageError("conflicting command line option '-c'"));
    assert.throws(() => realize(['-h', '-x'], fakeEnv({})), new UsageError('option -x not recognized'));
    assert.throws(() => realize(['-h'], fakeEnv({})), HelpRequested);
    assert.throws(
      () => realize(['-c', '/c'], fakeEnv({ '/c': '[supervisorctl]\nserverurl=%(nope)s\n' })),
      (e: Error) => e instanceof UsageError && e.message.startsWith("Format string '%(nope)s' for 'supervisorctl.serverurl' contains names ('nope') which cannot be expanded. Available names: ENV_HOME, ENV_SOCKDIR, here"),
    );
  });
});

describe('INI reader (RawConfigParser rules where npm ini differs)', () => {
  test('continuation lines, inline comments need whitespace, merged sections, lower-cased keys', () => {
    const ini = parseIni('[a]\nEnv=A="1",\n    B="2"\nurl=http://x/#frag\ncmd=/bin/cat ; c\n# full comment\n[a]\nx: 1\n[DEFAULT]\nd=9\n');
    assert.equal(getOption(ini, 'a', 'env'), 'A="1",\nB="2"');
    assert.equal(getOption(ini, 'a', 'url'), 'http://x/#frag');
    assert.equal(getOption(ini, 'a', 'cmd'), '/bin/cat');
    assert.equal(getOption(ini, 'a', 'x'), '1');
    assert.equal(getOption(ini, 'a', 'd'), '9');
  });
  test('errors', () => {
    assert.throws(() => parseIni('x=1\n'), IniError);
    // supervisorctl fails on a BOM too (MissingSectionHeaderError); the message names it
    assert.throws(() => parseIni('\uFEFF[supervisorctl]\nserverurl=unix:///x\n', 'x.conf'), {
      message: 'File contains no section headers.\nfile: x.conf, line: 1\nthe file starts with a UTF-8 byte order mark (U+FEFF), which supervisorctl does not accept either; save it without one',
    });
    assert.throws(() => parseIni('[a]\njunk\n'), IniError);
  });
  test('%-expansion', () => {
    assert.equal(expand('%(here)s/x %% y', { here: '/h' }, 'k'), '/h/x % y');
    assert.throws(() => expand('50%', {}, 'k'), /badly formatted: incomplete format/);
    assert.throws(() => expand('%(a)s', { b: '' }, 's.k'), /contains names \('a'\) which cannot be expanded. Available names: b/);
  });
});

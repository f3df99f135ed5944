/** tail -f, maintail -f, fg and the interactive shell, against the fake daemon. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, afterEach, describe, test } from 'node:test';
import { FakeDaemon, NOW } from './fake-daemon.js';
import { runCtl, startCtl } from './run-ctl.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'ctl-stream-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
let daemon: FakeDaemon | null = null;
afterEach(async () => {
  await daemon?.close();
  daemon = null;
});

async function fake() {
  const sock = path.join(dir, `s${n++}.sock`);
  daemon = await FakeDaemon.start(sock, {
    mainLog: 'main-1\n',
    processes: [
      { group: 'web', name: 'web_0', statename: 'RUNNING', pid: 1, start: NOW, stdout: 'w0-old\n' },
      { group: 'web', name: 'web_1', statename: 'RUNNING', pid: 2, start: NOW, stdout: '' },
      { group: 'worker', name: 'worker', statename: 'RUNNING', pid: 3, start: NOW, stdout: 'k-old\n', stderr: 'k-err\n' },
      { group: 'off', name: 'off', statename: 'STOPPED' },
      { group: 'nolog', name: 'nolog', statename: 'RUNNING', pid: 4, start: NOW, stdout: null },
    ],
  });
  return { url: `unix://${sock}`, daemon };
}

const settle = () => new Promise((r) => setTimeout(r, 150));

describe('tail -f', () => {
  test('one process: its last bytes, then data as it is written; Ctrl-C ends with a newline, exit 0', async () => {
    const { url, daemon } = await fake();
    const run = startCtl(['-s', url, 'tail', '-f', 'worker']);
    await run.waitFor('k-old\n');
    daemon.write('worker', 'stdout', 'k-new');
    daemon.write('worker', 'stderr', 'not this channel\n');
    daemon.write('worker', 'stdout', ' more\n');
    await run.waitFor('more\n');
    run.child.kill('SIGINT');
    const done = await run.done;
    assert.equal(done.stdout, '==> Press Ctrl-C to exit <==\nk-old\nk-new more\n\n');
    assert.equal(done.code, 0);
  });
  test('stderr channel', async () => {
    const { url, daemon } = await fake();
    const run = startCtl(['-s', url, 'tail', '-f', 'worker', 'stderr']);
    await run.waitFor('k-err\n');
    daemon.write('worker', 'stderr', 'e2\n');
    await run.waitFor('e2\n');
    run.child.kill('SIGINT');
    assert.equal((await run.done).stdout, '==> Press Ctrl-C to exit <==\nk-err\ne2\n\n');
  });
  test('several names and groups: lines prefixed with the process name', async () => {
    const { url, daemon } = await fake();
    const run = startCtl(['-s', url, 'tail', '-f', 'web:*,worker']);
    await run.waitFor('k-old\n');
    await settle();
    daemon.write('web:web_1', 'stdout', 'hello from 1\npartial');
    daemon.write('worker', 'stdout', 'k-new\n');
    daemon.write('web:web_1', 'stdout', ' line\n');
    await run.waitFor('partial line\n');
    run.child.kill('SIGINT');
    const done = await run.done;
    assert.equal(
      done.stdout,
      '==> Press Ctrl-C to exit <==\n' +
        'web:web_0 | w0-old\n' +
        'worker    | k-old\n' +
        'web:web_1 | hello from 1\n' +
        'worker    | k-new\n' +
        'web:web_1 | partial line\n\n',
    );
    assert.equal(done.code, 0);
  });
  test('unknown name: 404 line on stderr like supervisorctl, exit 0', async () => {
    const { url } = await fake();
    const ran = await runCtl(['-s', url, 'tail', '-f', 'nope']);
    assert.deepEqual(ran, { stdout: '==> Press Ctrl-C to exit <==\n', stderr: `${url}/logtail/nope/stdout Cannot read, status code 404\n`, code: 0 });
  });
  test('a process without a log file: the 404 line', async () => {
    const { url } = await fake();
    const ran = await runCtl(['-s', url, 'tail', '-f', 'nolog']);
    assert.deepEqual(ran, { stdout: '==> Press Ctrl-C to exit <==\n', stderr: `${url}/logtail/nolog/stdout Cannot read, status code 404\n`, code: 0 });
  });
  test('the daemon going away ends it, with a message and exit status 1 (never silently)', async () => {
    const { url, daemon } = await fake();
    const run = startCtl(['-s', url, 'tail', '-f', 'worker']);
    await run.waitFor('k-old\n');
    await daemon.closeAll();
    const done = await run.done;
    assert.equal(done.code, 1);
    assert.equal(done.stdout, '==> Press Ctrl-C to exit <==\nk-old\n');
    assert.equal(done.stderr, `Error: the connection to ${url} was closed; output stops here\n`);
  });
});

describe('maintail -f', () => {
  test('follows the main log', async () => {
    const { url, daemon } = await fake();
    const run = startCtl(['-s', url, 'maintail', '-f']);
    await run.waitFor('main-1\n');
    daemon.writeMain('main-2\n');
    await run.waitFor('main-2\n');
    run.child.kill('SIGINT');
    assert.deepEqual(await run.done, { stdout: '==> Press Ctrl-C to exit <==\nmain-1\nmain-2\n\n', stderr: '', code: 0 });
  });
});

describe('fg', () => {
  test('lines typed go to the process stdin; end of input leaves', async () => {
    const { url, daemon } = await fake();
    const ran = await runCtl(['-s', url, 'fg', 'worker'], { input: 'one\ntwo\n' });
    assert.equal(ran.stdout, '==> Press Ctrl-C to exit <==\nk-old\nk-err\nExiting foreground\n'.replace('k-old\nk-err\n', ran.stdout.includes('k-err\nk-old') ? 'k-err\nk-old\n' : 'k-old\nk-err\n'));
    assert.deepEqual(
      daemon.calls.filter((c) => c.method === 'supervisor.sendProcessStdin').map((c) => (c.params as { chars: string }).chars),
      ['one\n', 'two\n'],
    );
    assert.deepEqual(await runCtl(['-s', url, 'fg', 'off']), { stdout: 'ERROR: process not running\n', stderr: '', code: 1 });
  });
});

describe('interactive shell (stdin not a terminal)', () => {
  test('status first, prompts, the same commands, confirmations, exit 0', async () => {
    const { url } = await fake();
    const ran = await runCtl(['-s', url], { input: 'status worker\nfoo\n\nreload\nn\nshutdown\nno\nhelp quit\npid nosuch\n' });
    const status = (await runCtl(['-s', url, 'status'])).stdout;
    assert.equal(
      ran.stdout,
      status +
        'supervisor> worker                           RUNNING   pid 3, uptime 0:00:00\n' +
        'supervisor> *** Unknown syntax: foo\n' +
        'supervisor> supervisor> Really restart the remote supervisord process y/N? ' +
        'supervisor> Really shut the remote supervisord process down y/N? ' +
        'supervisor> quit\tExit the supervisor shell.\n' +
        'supervisor> No such process nosuch\n' +
        'supervisor> \n',
    );
    assert.equal(ran.code, 0);
  });
  test('EOF at a confirmation is the EOFError line; quit leaves', async () => {
    const { url } = await fake();
    const ran = await runCtl(['-s', url, 'pid'], { input: '' });
    assert.equal(ran.stdout, '4242\n');
    const eof = await runCtl(['-s', url], { input: 'reload\n' });
    assert.match(eof.stdout, /supervisor> Really restart the remote supervisord process y\/N\? error: <class 'EOFError'>, EOF when reading a line: file: \/usr\/lib\/python3\/dist-packages\/supervisor\/supervisorctl.py line: 1027\nsupervisor> \n$/);
    const quit = await runCtl(['-s', url], { input: 'quit\npid\n' });
    assert.match(quit.stdout, /supervisor> \n$/);
    assert.doesNotMatch(quit.stdout, /4242/);
  });
  test('-i with a command runs it once (reload then asks y/N)', async () => {
    const { url, daemon } = await fake();
    const ran = await runCtl(['-s', url, '-i', 'reload'], { input: 'y\n' });
    assert.deepEqual(ran, { stdout: 'Really restart the remote supervisord process y/N? Restarted supervisord\n', stderr: '', code: 0 });
    assert.equal(daemon.calls.filter((c) => c.method === 'supervisor.restart').length, 1);
  });
  test('a custom prompt and a history file', async () => {
    const { url } = await fake();
    const conf = path.join(dir, 'p.conf');
    const hist = path.join(dir, 'hist');
    (await import('node:fs')).writeFileSync(conf, `[supervisorctl]\nserverurl=${url}\nprompt=web\nhistory_file=${hist}\n`);
    const ran = await runCtl(['-c', conf], { input: 'pid\n' });
    assert.match(ran.stdout, /\nweb> 4242\nweb> \n$/);
    assert.equal(readFileSync(hist, 'utf8'), '');
  });
});

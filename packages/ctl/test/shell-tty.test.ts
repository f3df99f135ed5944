/** The interactive shell on a real terminal (a pty driven by python3): completion, Ctrl-C, Ctrl-D, history. */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { FakeDaemon, NOW } from './fake-daemon.js';
import { CTL_BIN } from './run-ctl.js';

const DRIVER = fileURLToPath(new URL('../../test/fixtures/pty-drive.py', import.meta.url));
const hasPython = spawnSync('python3', ['-c', 'import pty'], { stdio: 'ignore' }).status === 0;
const dir = mkdtempSync(path.join(os.tmpdir(), 'ctl-tty-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function drive(steps: Array<[string, number]>, args: string[]): Promise<{ output: string; status: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn('python3', [DRIVER, JSON.stringify(steps), process.execPath, CTL_BIN, ...args], {
      env: { ...process.env, NO_COLOR: '1', TERM: 'xterm' },
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.on('error', reject);
    child.on('close', () => resolve(JSON.parse(out)));
  });
}

/** What the terminal shows, roughly: escape sequences and carriage returns dropped. */
const plain = (s: string) => s.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').replace(/\r/g, '');

describe('shell on a terminal', { skip: hasPython ? false : 'python3 with pty is needed' }, () => {
  test('tab completion, Ctrl-C ends tail -f only, Ctrl-D leaves with 0, history is saved', async () => {
    const sock = path.join(dir, 'sock');
    const daemon = await FakeDaemon.start(sock, {
      processes: [
        { group: 'web', name: 'web_0', statename: 'RUNNING', pid: 1, start: NOW, stdout: 'w0\n' },
        { group: 'solo', name: 'solo', statename: 'RUNNING', pid: 2, start: NOW, stdout: 'old-line\n' },
      ],
    });
    const hist = path.join(dir, 'history');
    try {
      const { output, status } = await drive(
        [
          ['stat\t', 0.5],
          ['so\t', 0.5],
          ['\r', 0.6],
          ['tail -f solo\r', 0.8],
          ['\x03', 0.6],
          ['pid\r', 0.6],
          ['\x04', 0.8],
        ],
        ['-s', `unix://${sock}`, '-r', hist],
      );
      const screen = plain(output);
      assert.match(screen, /supervisor> status solo \nsolo {29}RUNNING   pid 2, uptime 0:00:00\n/);
      assert.match(screen, /supervisor> tail -f solo\n==> Press Ctrl-C to exit <==\nold-line\n\^C\nsupervisor> pid\n4242\nsupervisor> \n$/);
      assert.equal(status, 0);
      assert.equal(readFileSync(hist, 'utf8'), 'status solo \ntail -f solo\npid\n');
    } finally {
      await daemon.close();
    }
  });
});

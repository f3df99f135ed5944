/**
 * What the `top` tests share: tmux on a private socket in a test's directory running `top` in a
 * 120x40 window (its screen read back with capture-pane, keys sent with send-keys), the path of
 * the ctl, and how a row of the fleet view is found on a screen.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import * as h from './harness.js';

export const TSCTL = join(h.repoRoot, 'node_modules', '.bin', 'tsupervisorctl');

/** tmux on a private socket in `dir`: a session named top running `command`, its screen read back. */
export function tmuxIn(dir: string) {
  const sock = join(dir, 'tmux.sock');
  const tmux = (...args: string[]) => execFileSync('tmux', ['-S', sock, ...args], { encoding: 'utf8' });
  return {
    tmux,
    // the pane stays after top exits, so its exit status can be read
    open: (command: string) => tmux('new-session', '-d', '-s', 'top', '-x', '120', '-y', '40', '-e', 'NO_COLOR=1', `${command}; echo "top exited $?"; sleep 60`),
    screen: () => tmux('capture-pane', '-p', '-t', 'top'),
    keys: (...names: string[]) => tmux('send-keys', '-t', 'top', ...names),
    close: () => {
      try {
        tmux('kill-server');
      } catch {
        /* already gone */
      }
    },
  };
}

/** The fleet view's row of `name` on node `node` in a screen's text ('' if none). */
export function rowIn(text: string, node: string, name: string): string {
  return text.split('\n').find((l) => new RegExp(`^[> ] ${node}\\s+${name}\\s`).test(l)) ?? '';
}

/**
 * Outputs recorded from the real supervisorctl 4.2.5 (fixtures/supervisorctl-4.2.5.json, made by
 * running Debian's supervisorctl against a live supervisord, a missing socket, a stale socket,
 * and with bad options) replayed against tsupervisorctl: same stdout, stderr and exit code.
 */
import assert from 'node:assert/strict';
import { linkSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { FakeDaemon } from './fake-daemon.js';
import { runCtl } from './run-ctl.js';

interface Case {
  group: 'help' | 'live' | 'nofile' | 'refused' | 'usage';
  url: string | null;
  args: string[];
  stdout: string;
  stderr: string;
  code: number;
}

const fixture = fileURLToPath(new URL('../../test/fixtures/supervisorctl-4.2.5.json', import.meta.url));
const cases = JSON.parse(readFileSync(fixture, 'utf8')) as Case[];

const dir = mkdtempSync(path.join(os.tmpdir(), 'ctl-recorded-'));
const urls: Record<string, string> = {
  'unix:///tmp/ctlrec/sock': `unix://${dir}/sock`,
  'unix:///tmp/ctlrec/nosuch.sock': `unix://${dir}/nosuch.sock`,
  'unix:///tmp/ctlrec/nosuch2.sock': `unix://${dir}/nosuch2.sock`,
  'unix:///tmp/ctlrec/stale.sock': `unix://${dir}/stale.sock`,
};
const translate = (s: string) => Object.entries(urls).reduce((acc, [from, to]) => acc.split(from).join(to), s);

let daemon: FakeDaemon;
before(async () => {
  daemon = await FakeDaemon.start(`${dir}/sock`, {
    processes: [{ group: 'solo', name: 'solo', statename: 'RUNNING', pid: 10, start: 1 }],
  });
  // A socket file nobody listens on: link it, then close the server (which unlinks its own name).
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(`${dir}/stale-origin.sock`, resolve));
  linkSync(`${dir}/stale-origin.sock`, `${dir}/stale.sock`);
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
after(async () => {
  await daemon.close();
  rmSync(dir, { recursive: true, force: true });
});

for (const group of ['help', 'live', 'nofile', 'refused', 'usage'] as const) {
  describe(`recorded supervisorctl outputs: ${group}`, () => {
    for (const c of cases.filter((x) => x.group === group)) {
      test(JSON.stringify(c.args), async () => {
        const args = (c.url ? ['-s', translate(c.url)] : []).concat(c.args.map(translate));
        const ran = await runCtl(args, { cwd: dir });
        const stdout = ran.stdout.replace('Usage: tsupervisorctl ', 'Usage: PROGNAME ');
        const stderr = ran.stderr.replace('For help, use tsupervisorctl -h', 'For help, use PROGNAME -h');
        const expected = translate(c.stdout);
        if (c.args[0] === '-h' || c.args[0] === '-?' || c.args[0] === '--help') {
          // Our -h adds a paragraph on the extensions after supervisorctl's text.
          assert.ok(stdout.startsWith(expected.slice(0, -1)), stdout);
        } else {
          assert.equal(stdout, expected);
        }
        assert.equal(stderr, translate(c.stderr));
        assert.equal(ran.code, c.code);
      });
    }
  });
}

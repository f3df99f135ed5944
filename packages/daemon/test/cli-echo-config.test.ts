// `tsupervisord --echo-config` prints the commented sample configuration (as supervisor's
// echo_supervisord_conf): the file as printed loads, and its tsupervisor keys, uncommented, load.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseDaemonArgs } from '../src/cli.js';
import { SAMPLE_CONFIG } from '../src/config/sample.js';
import { load, writeConfs } from './fixtures/config/helpers.js';

const bin = fileURLToPath(new URL('../../bin/tsupervisord.js', import.meta.url));

test('--echo-config prints the sample and exits 0, before any config file is looked for', () => {
  assert.equal(parseDaemonArgs(['--echo-config']).echoConfig, true);
  const r = spawnSync(process.execPath, [bin, '--echo-config'], { encoding: 'utf8', cwd: '/', timeout: 30_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, SAMPLE_CONFIG);
  assert.match(r.stdout, /^; Sample tsupervisor config file/);
  for (const key of ['audit_logfile', 'log_timestamps', 'socket_pass', '[fcgi-program:', '[include]', '[program:']) {
    assert.ok(r.stdout.includes(key), `the sample has no ${key}`);
  }
});

test('the sample as printed loads: one unix socket, no programs', () => {
  const dir = writeConfs({ 'supervisord.conf': SAMPLE_CONFIG });
  const c = load(dir);
  assert.equal(c.unixHttpServer?.file, '/tmp/supervisor.sock');
  assert.deepEqual(c.groups, []);
});

/** Uncomments `;key=` lines inside the section whose commented header starts with `header`. */
function uncommentSection(text: string, header: string): string {
  let inside = false;
  return text
    .split('\n')
    .map((line) => {
      if (line.startsWith(';[')) inside = line.startsWith(`;${header}`);
      else if (line.startsWith('[')) inside = false;
      return inside && /^;\[?[a-z_]/.test(line) ? line.slice(1) : line;
    })
    .join('\n');
}

test("the sample's [fcgi-program:x] and tsupervisor's keys, uncommented, load with their values", () => {
  let text = uncommentSection(SAMPLE_CONFIG, '[fcgi-program:');
  text = text.replace(/^socket=tcp:\S+/m, 'socket=unix://@DIR@/fcgi.sock').replace(';audit_logfile=AUTO', 'audit_logfile=AUTO');
  const dir = writeConfs({ 'supervisord.conf': text });
  const c = load(dir);
  assert.equal(c.groups.length, 1);
  const [g] = c.groups;
  assert.equal(g.name, 'thefcgiprogramname');
  assert.equal(g.processes.length, 6);
  assert.equal(g.processes[0].name, 'thefcgiprogramname_00');
});

/**
 * depends_on= at load: its words, what each names (name, group:name, group:*, a program inside a
 * [group:x]), and the refusals: an unknown name or a cycle is a ConfigError at the depends_on=
 * line with the cycle spelled out.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../src/config/index.js';
import { dependencyGraph, toDependsOn } from '../src/config/dependencies.js';
import { BadValue } from '../src/config/errors.js';

function load(body: string) {
  const dir = mkdtempSync(join(tmpdir(), 'tsv-deps-'));
  try {
    const file = join(dir, 'supervisord.conf');
    writeFileSync(file, `[supervisord]\nlogfile=${dir}/l\n${body}`);
    return { config: loadConfig(file, { cwd: dir }), file };
  } catch (err) {
    return { error: err as Error, file: join(dir, 'supervisord.conf') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('words: conditions default to ready; :exited; duplicates once; bad words refused', () => {
  const at = { file: 'f', line: 3 };
  assert.deepEqual(toDependsOn('db  migrate:exited app:* app:web:ready db', at), [
    { target: 'db', condition: 'ready', origin: at },
    { target: 'migrate', condition: 'exited', origin: at },
    { target: 'app:*', condition: 'ready', origin: at },
    { target: 'app:web', condition: 'ready', origin: at },
  ]);
  for (const bad of ['a:b:c', ':x', 'a:', '*', 'a/b']) assert.throws(() => toDependsOn(bad, at), BadValue, bad);
});

test('targets resolve to processes: a program, a group:*, a group:name, a program inside a [group:x]', () => {
  const { config } = load(`
[program:db]
command=/bin/true
[program:web]
command=/bin/true
numprocs=2
process_name=web_%(process_num)s
[group:back]
programs=cache,queue
[program:cache]
command=/bin/true
[program:queue]
command=/bin/true
[program:app]
command=/bin/true
depends_on = db web:web_1 back:* cache:exited
`);
  assert.ok(config);
  const app = config.groups.find((g) => g.name === 'app')!.processes[0]!;
  assert.equal(app.dependsOn?.length, 4);
  assert.equal(app.dependsOn?.[0]?.origin.line, 18);
  const edges = dependencyGraph(config.groups).get('app')!.map((e) => `${e.on}:${e.spec.condition}`);
  assert.deepEqual(edges, ['db:ready', 'web:web_1:ready', 'back:cache:ready', 'back:queue:ready', 'back:cache:exited']);
  // a program without the key has no field at all (its config compares as before)
  assert.equal('dependsOn' in config.groups.find((g) => g.name === 'db')!.processes[0]!, false);
});

test('an unknown name: file:line of depends_on=, the name', () => {
  const { error, file } = load(`
[program:web]
command=/bin/true
depends_on=db
`);
  assert.ok(error instanceof ConfigError);
  assert.equal(error.message, `${file}:6: [program:web] depends_on: unknown program, group or process "db"`);
  const other = load(`
[program:web]
command=/bin/true
depends_on=web:nope
`);
  assert.match(other.error!.message, /:6: \[program:web\] depends_on: unknown program, group or process "web:nope"$/);
});

test('a cycle: file:line, the cycle spelled out; a self-dependency too', () => {
  const { error, file } = load(`
[program:a]
command=/bin/true
depends_on=b
[program:b]
command=/bin/true
depends_on=c:exited
[program:c]
command=/bin/true
depends_on=a
`);
  assert.ok(error instanceof ConfigError);
  assert.equal(error.message, `${file}:6: [program:a] depends_on: dependency cycle: a -> b -> c -> a`);
  const self = load(`
[group:g]
programs=x
[program:x]
command=/bin/true
depends_on=g:*
`);
  assert.match(self.error!.message, /:8: \[program:x\] depends_on: dependency cycle: g:x -> g:x$/);
});

test('a diamond is no cycle', () => {
  const { config, error } = load(`
[program:a]
command=/bin/true
depends_on=b c
[program:b]
command=/bin/true
depends_on=d
[program:c]
command=/bin/true
depends_on=d
[program:d]
command=/bin/true
`);
  assert.equal(error, undefined);
  assert.equal(config!.groups.length, 4);
});

test('essential and backoff_max are read only when written', () => {
  const { config } = load(`
[program:a]
command=/bin/true
essential=true
backoff_max=30
startretries=-1
[program:b]
command=/bin/true
`);
  const a = config!.groups.find((g) => g.name === 'a')!.processes[0]!;
  assert.equal(a.essential, true);
  assert.equal(a.backoffMax, 30);
  assert.equal(a.startretries, -1);
  const b = config!.groups.find((g) => g.name === 'b')!.processes[0]!;
  assert.equal('essential' in b || 'backoffMax' in b, false);
  assert.match(load(`[program:a]\ncommand=/bin/true\nbackoff_max=0\n`).error!.message, /backoff_max = "0": 0 is below lower bound \(1\)/);
});

/**
 * `command=` is split like Python's shlex.split (after %-expansion) and executed directly,
 * never through a shell. Each program is a Python script that writes its own argv, read from
 * /proc/self/cmdline (so argv[0] is seen as the kernel has it), as JSON. The expected argv is
 * computed by Python itself: RawConfigParser as supervisor configures it, `%` expansion and
 * shlex.split: what supervisor 4.2.5 would exec.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as h from './harness.js';

const ARGV_PY = `import json, os
with open('/proc/self/cmdline', 'rb') as f:
    argv = [a.decode('utf-8', 'surrogateescape') for a in f.read().split(b'\\0')[:-1]]
with open(os.environ['OUT'] + '.tmp', 'w') as f:
    json.dump(argv, f)
os.rename(os.environ['OUT'] + '.tmp', os.environ['OUT'])
`;

/** Command lines as written in the file (after `command=`); @TMP@ is the temp dir. */
const COMMANDS = [
  `/usr/bin/python3 @TMP@/argv.py plain 'single quoted' "double quoted" back\\ slash`,
  `/usr/bin/python3 @TMP@/argv.py a;b && echo pwned | tee @TMP@/pwned > @TMP@/pwned2 $(touch @TMP@/pwned3) \`touch @TMP@/pwned4\``,
  `/usr/bin/python3 @TMP@/argv.py $HOME ~ * {a,b} a?b [ab] $((1+1)) \${X:-y}`,
  `/usr/bin/python3 @TMP@/argv.py 'it'"'"'s' "" '' "a'b" 'a"b' "\\"esc\\"" 'no\\escape' "back\\\\slash"`,
  `/usr/bin/python3 @TMP@/argv.py tab\there	literal-tab é 日本 😀 a#b a;b "x;y" \\n \\t`,
  `/usr/bin/python3 @TMP@/argv.py 100%% %(program_name)s %(ENV_ARGV_TEST)s "%(here)s"`,
  `/usr/bin/python3 @TMP@/argv.py "multi
    word"`,
  `/usr/bin/python3 @TMP@/argv.py \x01ctl\x7f "\x02q" end`,
];

const pythonExpected = `
import configparser, json, os, shlex, sys
conf = sys.argv[1]
p = configparser.RawConfigParser(inline_comment_prefixes=(';', '#'), strict=False)
p.read(conf)
out = {}
for section in p.sections():
    if not section.startswith('program:'):
        continue
    name = section.split(':', 1)[1]
    expansions = {'program_name': name, 'group_name': name, 'process_num': 0, 'numprocs': 1,
                  'here': os.path.dirname(os.path.abspath(conf)), 'host_node_name': os.uname()[1]}
    for k, v in os.environ.items():
        expansions['ENV_' + k] = v
    out[name] = shlex.split(p.get(section, 'command') % expansions)
print(json.dumps(out))
`;

test('commands are split like shlex and run without a shell: argv as the child sees it', { timeout: 60_000 }, async () => {
  const programs = COMMANDS.map(
    (cmd, i) => `
[program:p${i}]
command=${cmd}
startsecs=0
autostart=false
autorestart=false
environment=OUT="@TMP@/argv-p${i}.json"
`,
  ).join('');
  const d = await h.startDaemon(programs, { env: { ARGV_TEST: 'from env $HOME "q"' } });
  try {
    writeFileSync(join(d.dir, 'argv.py'), ARGV_PY);
    const started = await d.ctl(['start', 'all']);
    assert.equal(started.code, 0, started.stdout + started.stderr);
    const py = spawnSync('python3', ['-c', pythonExpected, d.conf], { encoding: 'utf8', env: { ...process.env, ARGV_TEST: 'from env $HOME "q"' } });
    assert.equal(py.status, 0, py.stderr);
    const expected = JSON.parse(py.stdout) as Record<string, string[]>;
    for (let i = 0; i < COMMANDS.length; i++) {
      const file = join(d.dir, `argv-p${i}.json`);
      await h.waitFor(`p${i} to write its argv`, () => existsSync(file), 10_000);
      const argv = JSON.parse(readFileSync(file, 'utf8')) as string[];
      assert.deepEqual(argv, expected[`p${i}`], `p${i}: command=${COMMANDS[i]}`);
    }
    // Spot checks that the reference itself says what we think.
    assert.deepEqual(expected['p3']!.slice(2), ["it's", '', '', "a'b", 'a"b', '"esc"', 'no\\escape', 'back\\slash']);
    assert.ok(expected['p1']!.includes('&&') && expected['p1']!.includes('$(touch'));
    for (const f of ['pwned', 'pwned2', 'pwned3', 'pwned4']) assert.ok(!existsSync(join(d.dir, f)), `${f}: a shell ran`);
  } catch (e) {
    (e as Error).message += `\n${d.logs()}`;
    throw e;
  } finally {
    await d.stop();
  }
});

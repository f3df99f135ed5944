// The npm package as a user installs it (issue 13): `scripts/pack.sh` once, then
// `npm install -g --prefix TMP --offline ./tsupervisor-<v>.tgz` with a PATH that holds no C
// compiler (only node, npm and sh), the seed scenario run from the installed bins (nginx → three
// Go FastCGI workers; a request answered, a SIGKILLed worker replaced), the prebuilt binaries
// checked, the fallback to cc and the no-compiler line seen on a copy of the package that is
// told it runs on another platform, the systemd unit verified, and an uninstall that leaves
// nothing behind.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as h from './harness.js';

const tmp = h.makeTmpDir('tsv-pack-', 0o755);
const prefix = join(tmp.path, 'prefix');
const pkgDir = join(prefix, 'lib', 'node_modules', 'tsupervisor');
const bins = { daemon: join(prefix, 'bin', 'tsupervisord'), ctl: join(prefix, 'bin', 'tsupervisorctl') };
/** A bin dir with node, npm and sh only: no cc, gcc or make. */
const noCc = join(tmp.path, 'no-cc');
const PATH = `${join(prefix, 'bin')}:${noCc}`;
/** The user's environment without pnpm's leftovers (pnpm's .bin shims export NODE_PATH). */
const env = { ...process.env, PATH, NODE_PATH: undefined, npm_config_prefix: undefined };
let tgz = '';
let installOut = '';

function which(cmd: string): string {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  assert.equal(r.status, 0, `${cmd} is not on PATH`);
  return r.stdout.trim();
}

function run(cmd: string, args: string[], o: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  return spawnSync(cmd, args, { encoding: 'utf8', timeout: 180_000, cwd: o.cwd ?? tmp.path, env: o.env ?? env });
}

/** Every file (not directory) under `dir`, relative. */
function filesUnder(dir: string, base = dir): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p, base) : [p.slice(base.length + 1)];
  });
}

before(async () => {
  mkdirSync(noCc);
  for (const tool of ['node', 'npm', 'sh']) symlinkSync(which(tool), join(noCc, tool));
  assert.notEqual(spawnSync('sh', ['-c', 'command -v cc || command -v gcc'], { env: { PATH } }).status, 0, 'cc is on the test PATH');
  // pack once (the tree is built: the suite runs after `pnpm run build`)
  const pack = spawnSync('bash', [join(h.repoRoot, 'scripts', 'pack.sh')], {
    encoding: 'utf8',
    timeout: 300_000,
    env: { ...process.env, SKIP_BUILD: '1', PACK_OUT: tmp.path },
  });
  assert.equal(pack.status, 0, `pack.sh: ${pack.stdout}${pack.stderr}`);
  tgz = pack.stdout.trim().split('\n').pop()!;
  assert.match(tgz, /\/tsupervisor-\d+\.\d+\.\d+\.tgz$/);
  const install = run('npm', ['install', '-g', '--prefix', prefix, '--offline', '--no-audit', '--no-fund', '--foreground-scripts', tgz]);
  installOut = install.stdout + install.stderr;
  assert.equal(install.status, 0, `npm install: ${installOut}`);
});

after(() => tmp.remove());

test('the package holds no dependencies and no dev tooling; install used a prebuilt, no compiler', () => {
  const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
  assert.equal(pkg.dependencies, undefined);
  assert.equal(existsSync(join(pkgDir, 'node_modules')), false, 'the package installed dependencies');
  assert.match(installOut, /native: using the prebuilt binaries for linux-x64-glibc/);
  for (const bin of Object.values(bins)) assert.ok(existsSync(bin), `${bin} missing`);
  // the bins are the package's own files (symlinks), not a shell shim that sets NODE_PATH
  assert.doesNotMatch(readFileSync(bins.ctl, 'utf8'), /NODE_PATH/);
});

test('seed scenario from the installed bins: nginx → 3 Go FastCGI workers, a request answered, a killed worker replaced', async () => {
  const app = await h.buildGoApp();
  const fcgiPort = await h.freePort();
  const names = [0, 1, 2].map((i) => `fastcgi_test:fastcgi_test_0${i}`);
  const d = await h.startDaemon(
    `[fcgi-program:fastcgi_test]
socket=tcp://127.0.0.1:${fcgiPort}
command=${app}
environment=SLEEP_MS="5"
process_name=%(program_name)s_%(process_num)02d
numprocs=3
stopwaitsecs=10
`,
    { daemonCmd: bins.daemon, ctlCmd: bins.ctl, env, dirMode: 0o755 },
  );
  let nginx: h.Nginx | undefined;
  try {
    const pids = new Map<string, number>();
    for (const n of names) pids.set(n, (await d.waitState(n, 'RUNNING', 20_000)).pid!);
    const port = await h.freePort();
    nginx = await h.startNginx({ listenPort: port, fastcgiPass: `127.0.0.1:${fcgiPort}`, user: process.getuid?.() === 0 ? 'nobody nogroup' : undefined });
    const [first] = await h.getMany(port, 1);
    assert.equal(first!.status, 200, `${JSON.stringify(first)}\n${nginx.errorLog()}\n${d.logs()}`);
    assert.ok([...pids.values()].includes(h.pidOf(first!.body)!), first!.body);
    // the daemon and its children carry no NODE_PATH (pnpm's shim would have set one)
    for (const pid of [d.pid, pids.get(names[0])!]) {
      assert.doesNotMatch(readFileSync(`/proc/${pid}/environ`, 'utf8'), /(^|\0)NODE_PATH=/, `pid ${pid}`);
    }
    const victim = names[1]!;
    process.kill(pids.get(victim)!, 'SIGKILL');
    const row = await h.waitFor(
      `${victim} to run with a new pid`,
      async () => (await d.status(victim)).find((r) => r.state === 'RUNNING' && r.pid !== pids.get(victim)),
      15_000,
      100,
    );
    assert.ok(d.children().includes(row.pid!));
    for (const r of await h.getMany(port, 4)) assert.equal(r.status, 200, JSON.stringify(r));
  } finally {
    await nginx?.stop();
    await d.stop();
  }
});

test('the prebuilt binaries: this machine’s load and run; the others are built for their platform', () => {
  const check = run('node', ['-e', `import(${JSON.stringify(join(pkgDir, 'native', 'prebuilt.mjs'))}).then((m) => { const e = m.checkBuild(process.argv[1]); if (e) { console.error(e); process.exit(1); } })`, join(pkgDir, 'native', 'prebuilt', 'linux-x64-glibc')]);
  assert.equal(check.status, 0, check.stderr);
  // ELF e_machine: 0x3e x86-64, 0xb7 aarch64; a musl build asks for ld-musl
  const machine = (f: string) => readFileSync(f).readUInt16LE(18);
  const prebuilt = readdirSync(join(pkgDir, 'native', 'prebuilt'));
  for (const key of prebuilt) {
    for (const file of ['tsv_native.node', 'tsv-exec']) {
      const path = join(pkgDir, 'native', 'prebuilt', key, file);
      assert.equal(machine(path), key.includes('arm64') ? 0xb7 : 0x3e, `${key}/${file}`);
    }
    const shim = readFileSync(join(pkgDir, 'native', 'prebuilt', key, 'tsv-exec')).toString('latin1');
    assert.equal(shim.includes('ld-musl'), key.endsWith('-musl'), `${key}/tsv-exec interpreter`);
  }
});

test('no prebuilt fits (another platform named): build.mjs builds with cc; without cc it stops with one line', () => {
  const copy = join(tmp.path, 'copy');
  cpSync(pkgDir, copy, { recursive: true });
  rmSync(join(copy, 'native', 'build'), { recursive: true, force: true });
  const other = { ...env, TSV_NATIVE_PLATFORM: 'linux-riscv64-glibc' };
  const build = join(copy, 'native', 'build.mjs');

  const noCompiler = run('node', [build], { env: other });
  assert.equal(noCompiler.status, 1);
  const lines = noCompiler.stderr.trim().split('\n');
  assert.equal(lines.length, 1, noCompiler.stderr);
  assert.match(
    lines[0]!,
    /^native: no prebuilt binaries fit this machine: none for linux-riscv64-glibc \(the package has linux-.*\); C compiler 'cc' not found or not working \(ENOENT\): install one \(Debian: apt-get install gcc libc6-dev; Alpine: apk add gcc musl-dev\) and install tsupervisor again$/,
  );
  assert.ok(!existsSync(join(copy, 'native', 'build', 'tsv_native.node')));

  const withCc = run('node', [build], { env: { ...other, PATH: process.env.PATH } });
  assert.equal(withCc.status, 0, withCc.stderr);
  assert.match(withCc.stderr, /none for linux-riscv64-glibc .*building them with cc/);
  assert.match(withCc.stdout, /native: built tsv_native\.node, tsv-exec/);
  const check = run('node', ['-e', `import(${JSON.stringify(join(copy, 'native', 'prebuilt.mjs'))}).then((m) => { const e = m.checkBuild(process.argv[1]); if (e) { console.error(e); process.exit(1); } })`, join(copy, 'native', 'build')]);
  assert.equal(check.status, 0, check.stderr);
});

test('the systemd unit: systemd-analyze verify (or its keys checked) with the installed bins', () => {
  const unit = readFileSync(join(pkgDir, 'packaging', 'tsupervisord.service'), 'utf8');
  assert.match(unit, /^ExecStart=\/usr\/local\/bin\/tsupervisord -n -c \/etc\/supervisor\/supervisord\.conf$/m);
  assert.match(unit, /^ExecReload=\S+tsupervisorctl -c \/etc\/supervisor\/supervisord\.conf \$OPTIONS reload$/m);
  assert.match(unit, /^KillMode=process$/m);
  const local = join(tmp.path, 'tsupervisord.service');
  writeFileSync(local, unit.replaceAll('/usr/local/bin/', `${join(prefix, 'bin')}/`));
  if (spawnSync('sh', ['-c', 'command -v systemd-analyze'], { stdio: 'ignore' }).status === 0) {
    const r = spawnSync('systemd-analyze', ['verify', local], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.equal(r.stderr.trim(), '', r.stderr);
  } else {
    const known: Record<string, string[]> = {
      Unit: ['Description', 'Documentation', 'After', 'Conflicts'],
      Service: ['ExecStart', 'ExecStop', 'ExecReload', 'KillMode', 'Restart', 'RestartSec'],
      Install: ['WantedBy'],
    };
    let section = '';
    for (const line of unit.split('\n')) {
      const s = /^\[(\w+)\]$/.exec(line);
      if (s) section = s[1]!;
      else if (/^\w+=/.test(line)) assert.ok(known[section]?.includes(line.split('=')[0]!), `[${section}] ${line}`);
    }
  }
});

test('npm uninstall -g leaves nothing behind in the prefix', () => {
  const r = run('npm', ['uninstall', '-g', '--prefix', prefix, '--offline', 'tsupervisor']);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.deepEqual(filesUnder(prefix), []);
});

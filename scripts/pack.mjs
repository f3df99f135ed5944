#!/usr/bin/env node
// Makes the npm package `tsupervisor-<version>.tgz` from a built tree (scripts/pack.sh runs
// `pnpm run build` first): the two bundles (scripts/bundle.mjs: self-contained, so the package
// has no dependencies), the bins, the native sources with build.mjs and the Node-API headers
// (to build with cc where no prebuilt fits), prebuilt native binaries for every platform whose
// compiler is on this machine (the host's, and Debian's cross toolchains: gcc-aarch64-linux-gnu,
// musl-tools), and packaging/ (the systemd unit, Debian's default supervisord.conf).
// Prints the .tgz's path on its last line. PACK_OUT sets the output folder (default dist/).
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { platformKey } from '../packages/daemon/native/prebuilt.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const daemon = join(root, 'packages', 'daemon');
const ctl = join(root, 'packages', 'ctl');
const outDir = resolve(process.env.PACK_OUT ?? join(root, 'dist'));
const { version, description, engines } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

/** Prebuilt targets: the key, and the compilers that build for it (the first on PATH is used). */
const TARGETS = [
  { key: 'linux-x64-glibc', cc: ['x86_64-linux-gnu-gcc'] },
  { key: 'linux-arm64-glibc', cc: ['aarch64-linux-gnu-gcc'] },
  { key: 'linux-x64-musl', cc: ['x86_64-linux-musl-gcc', ...(process.arch === 'x64' ? ['musl-gcc'] : [])] },
  { key: 'linux-arm64-musl', cc: ['aarch64-linux-musl-gcc', ...(process.arch === 'arm64' ? ['musl-gcc'] : [])] },
];
const host = platformKey();
const onPath = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;

const stage = mkdtempSync(join(tmpdir(), 'tsv-pack-'));
try {
  const pkg = join(stage, 'package');
  const copy = (from, to) => cpSync(from, join(pkg, to), { recursive: true });
  copy(join(daemon, 'bin', 'tsupervisord'), 'bin/tsupervisord');
  copy(join(daemon, 'bin', 'tsupervisord.js'), 'bin/tsupervisord.js');
  copy(join(ctl, 'bin', 'tsupervisorctl'), 'bin/tsupervisorctl');
  copy(join(ctl, 'bin', 'tsupervisorctl.cjs'), 'bin/tsupervisorctl.cjs');
  copy(join(daemon, 'dist', 'bundle'), 'dist/bundle');
  copy(join(ctl, 'dist', 'tsupervisorctl.cjs'), 'dist/tsupervisorctl.cjs');
  copy(join(ctl, 'dist', 'tsupervisorctl.cjs.cache'), 'dist/tsupervisorctl.cjs.cache');
  copy(join(ctl, 'dist', 'tsupervisorctl-top.cjs'), 'dist/tsupervisorctl-top.cjs');
  for (const f of readdirSync(join(daemon, 'native'))) {
    if (/\.(c|h|mjs|md)$/.test(f)) copy(join(daemon, 'native', f), `native/${f}`);
  }
  const headers = join(dirname(createRequire(join(daemon, 'package.json')).resolve('node-api-headers/package.json')), 'include');
  copy(headers, 'native/include');
  copy(join(root, 'packaging', 'tsupervisord.service'), 'packaging/tsupervisord.service');
  copy(join(root, 'packaging', 'supervisord.conf'), 'packaging/supervisord.conf');
  copy(join(root, 'README.md'), 'README.md');
  writeFileSync(
    join(pkg, 'package.json'),
    JSON.stringify(
      {
        name: 'tsupervisor',
        version,
        description,
        type: 'module',
        bin: { tsupervisord: 'bin/tsupervisord', tsupervisorctl: 'bin/tsupervisorctl' },
        engines,
        os: ['linux'],
        scripts: { install: 'node native/build.mjs' },
      },
      null,
      2,
    ) + '\n',
  );

  // The prebuilt binaries, built at once (each takes a few seconds).
  const builds = [];
  for (const t of TARGETS) {
    const cc = t.key === host ? process.env.CC || 'cc' : t.cc.find(onPath);
    if (!cc) {
      console.log(`pack: no prebuilt for ${t.key} (no ${t.cc.join(' or ')} on PATH)`);
      continue;
    }
    const out = join(pkg, 'native', 'prebuilt', t.key);
    const args = [join(daemon, 'native', 'build.mjs'), '--target', t.key, '--out', out];
    const env = { ...process.env, CC: cc };
    if (t.key.endsWith('-musl')) env.CFLAGS = [process.env.CFLAGS ?? '', '-isystem', kernelHeaders(t.key)].join(' ').trim();
    builds.push(
      new Promise((ok, fail) => {
        const child = spawn(process.execPath, args, { env, stdio: 'inherit' });
        child.on('close', (code) => (code === 0 ? ok(t.key) : fail(new Error(`pack: building ${t.key} with ${cc} failed`))));
      }),
    );
  }
  // every build runs to its end (the stage is removed after), then any failure is reported
  const settled = await Promise.allSettled(builds);
  const failed = settled.filter((s) => s.status === 'rejected').map((s) => s.reason.message);
  if (failed.length) throw new Error(failed.join('; '));
  const built = settled.map((s) => s.value);
  if (!built.includes(host)) throw new Error(`pack: no prebuilt for this machine (${host})`);

  mkdirSync(outDir, { recursive: true });
  const r = spawnSync('npm', ['pack', '--pack-destination', outDir, '--loglevel', 'warn'], { cwd: pkg, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`pack: npm pack failed: ${r.stderr}`);
  const file = join(outDir, r.stdout.trim().split('\n').pop());
  console.log(`pack: prebuilt for ${built.sort().join(', ')}`);
  console.log(file);
} finally {
  rmSync(stage, { recursive: true, force: true });
}

/**
 * musl's compiler searches its own libc headers only; the addon also needs the kernel's UAPI
 * headers (linux/inet_diag.h, linux/sock_diag.h …), which Debian's linux-libc-dev installs for
 * glibc. A folder holding just linux/, asm-generic/ and the target's asm/ gives it those and
 * nothing of glibc's.
 */
function kernelHeaders(key) {
  const dir = join(stage, `kernel-headers-${key}`);
  const triplet = key.startsWith('linux-arm64') ? 'aarch64-linux-gnu' : 'x86_64-linux-gnu';
  mkdirSync(dir, { recursive: true });
  for (const [name, from] of [['linux', '/usr/include/linux'], ['asm-generic', '/usr/include/asm-generic'], ['asm', `/usr/include/${triplet}/asm`]]) {
    if (existsSync(from) && !existsSync(join(dir, name))) symlinkSync(from, join(dir, name));
  }
  return dir;
}

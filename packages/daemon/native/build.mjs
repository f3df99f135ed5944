#!/usr/bin/env node
// Builds the native layer of tsupervisord (see native/README.md) into native/build/:
//   tsv_native.node  a plain C Node-API addon (NAPI_VERSION 8)
//   tsv-exec         the exec shim spawned in front of every child
// Runs as the `install` script of @tsupervisor/daemon (pnpm install, in a clone) and of the npm
// package `tsupervisor` (npm install -g). In the npm package, a prebuilt pair that fits this
// machine (native/prebuilt/<platform>/, see prebuilt.mjs) is copied into build/ and nothing is
// compiled; otherwise, as in a clone, it compiles with `cc` against the Node-API headers (the npm
// package node-api-headers in a clone, native/include in the npm package, else node's own
// include/node): no node-gyp, nothing downloaded. Set CC to use another compiler, CFLAGS to add
// flags. Without a fitting prebuilt and without a compiler it stops with one line saying so.
//
// scripts/pack.sh cross-builds the prebuilt folders: `CC=aarch64-linux-gnu-gcc node build.mjs
// --target linux-arm64-glibc --out DIR` (no prebuilt lookup, no load check).
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, renameSync, rmSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkBuild, installPrebuilt, platformKey, prebuiltDir } from './prebuilt.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const option = (name) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
const target = option('--target');
const out = resolve(option('--out') ?? join(here, 'build'));
const cc = process.env.CC || 'cc';
const extra = (process.env.CFLAGS || '').split(/\s+/).filter(Boolean);
const started = Date.now();

function die(msg) {
  console.error(`native: ${msg}`);
  process.exit(1);
}

if (process.platform !== 'linux') die(`tsupervisord's native layer is Linux-only (this is ${process.platform})`);

/** The platforms the npm package carries prebuilt binaries for (none in a clone). */
const carried = existsSync(join(here, 'prebuilt')) ? readdirSync(join(here, 'prebuilt')).sort() : [];
let why = '';
if (!target && carried.length > 0) {
  const key = platformKey();
  const dir = prebuiltDir(here, key);
  const complaint = dir ? checkBuild(dir) : `none for ${key} (the package has ${carried.join(', ')})`;
  if (!complaint) {
    installPrebuilt(dir, out);
    console.log(`native: using the prebuilt binaries for ${key}`);
    process.exit(0);
  }
  why = `no prebuilt binaries fit this machine: ${complaint}; `;
}

const probe = spawnSync(cc, ['--version'], { stdio: 'ignore' });
if (probe.error || probe.status !== 0) {
  const again = carried.length > 0 ? 'install tsupervisor again' : 'run pnpm install again';
  die(
    `${why}C compiler '${cc}' not found or not working (${probe.error ? probe.error.code : `exit ${probe.status}`}): ` +
      `install one (Debian: apt-get install gcc libc6-dev; Alpine: apk add gcc musl-dev) and ${again}`,
  );
}
if (why) console.error(`native: ${why}building them with ${cc}`);

const nodeInclude = join(dirname(process.execPath), '..', 'include', 'node');

/** node_api.h: from node-api-headers (a clone), native/include (the npm package) or node's own headers. */
function findInclude() {
  try {
    const require = createRequire(import.meta.url);
    return join(dirname(require.resolve('node-api-headers/package.json')), 'include');
  } catch {
    return [join(here, 'include'), nodeInclude].find((dir) => existsSync(join(dir, 'node_api.h')));
  }
}
const include = findInclude();
if (!include || !existsSync(join(include, 'node_api.h'))) {
  die(`node_api.h not found (neither the npm package node-api-headers, ${join(here, 'include')} nor ${nodeInclude} has it)`);
}

mkdirSync(out, { recursive: true });

const common = ['-std=gnu11', '-O2', '-Wall', '-Wextra', '-Wno-unused-parameter', ...extra];
const targets = [
  {
    name: 'tsv_native.node',
    args: [
      ...common,
      '-shared',
      '-fPIC',
      '-fvisibility=hidden',
      '-DNAPI_VERSION=8',
      '-I',
      include,
      join(here, 'tsv_native.c'),
      join(here, 'tsv_napi.c'),
      join(here, 'tsv_sockets.c'),
      join(here, 'tsv_memory.c'),
      join(here, 'tsv_pipe.c'),
      join(here, 'tsv_queue.c'),
      join(here, 'tsv_reuseport.c'),
      join(here, 'tsv_notify.c'),
      join(here, 'tsv_reexec.c'),
      join(here, 'tsv_spawn.c'),
      join(here, 'tsv_clone.c'),
      // libuv's header, where Node's headers are installed (tsv_pipe.c declares the few calls it
      // makes by hand otherwise)
      ...(existsSync(join(nodeInclude, 'uv.h')) ? ['-I', nodeInclude] : []),
      '-lm',
    ],
  },
  { name: 'tsv-exec', args: [...common, '-s', join(here, 'tsv_exec.c'), join(here, 'tsv_pump.c')] },
];

// Each target is written to a temporary name, then renamed: a running daemon that has the old
// addon mapped (or is spawning the old shim) is never handed a half-written file.
function build({ name, args }) {
  const tmp = join(out, `.${name}.${process.pid}.tmp`);
  return new Promise((resolve) => {
    const child = spawn(cc, [...args, '-o', tmp], { stdio: ['ignore', 'inherit', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', (err) => resolve({ name, ok: false, stderr: String(err) }));
    child.on('close', (code) => {
      if (code === 0) {
        renameSync(tmp, join(out, name));
        resolve({ name, ok: true, stderr });
      } else {
        rmSync(tmp, { force: true });
        resolve({ name, ok: false, stderr: stderr || `${cc} exited with ${code}` });
      }
    });
  });
}

const results = await Promise.all(targets.map(build));
let failed = false;
for (const r of results) {
  if (r.stderr.trim()) process.stderr.write(r.stderr.endsWith('\n') ? r.stderr : `${r.stderr}\n`);
  if (!r.ok) {
    failed = true;
    console.error(`native: building ${r.name} failed`);
  }
}
if (failed) process.exit(1);
console.log(`native: built ${results.map((r) => r.name).join(', ')}${target ? ` for ${target}` : ''} in ${Date.now() - started} ms`);

#!/usr/bin/env node
// Builds the native layer of tsupervisord (see native/README.md) into native/build/:
//   tsv_native.node  a plain C Node-API addon (NAPI_VERSION 8)
//   tsv-exec         the exec shim spawned in front of every child
// Compiled with `cc` directly against the headers of the npm package node-api-headers:
// no node-gyp, nothing downloaded. Runs as this package's `install` script (pnpm install).
// Set CC to use another compiler, CFLAGS to add flags.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, renameSync, rmSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, 'build');
const cc = process.env.CC || 'cc';
const extra = (process.env.CFLAGS || '').split(/\s+/).filter(Boolean);
const started = Date.now();

function die(msg) {
  console.error(`native: ${msg}`);
  process.exit(1);
}

if (process.platform !== 'linux') die(`tsupervisord's native layer is Linux-only (this is ${process.platform})`);

const probe = spawnSync(cc, ['--version'], { stdio: 'ignore' });
if (probe.error || probe.status !== 0) {
  die(
    `C compiler '${cc}' not found or not working (${probe.error ? probe.error.code : `exit ${probe.status}`}).\n` +
      `native: install one (Debian: apt-get install gcc libc6-dev) and run pnpm install again.`,
  );
}

let include;
try {
  const require = createRequire(import.meta.url);
  include = join(dirname(require.resolve('node-api-headers/package.json')), 'include');
} catch {
  die(`the npm package node-api-headers is missing (a devDependency of @tsupervisor/daemon); run pnpm install`);
}
if (!existsSync(join(include, 'node_api.h'))) die(`node_api.h not found in ${include}`);

const nodeInclude = join(dirname(process.execPath), '..', 'include', 'node');

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
      join(here, 'tsv_memory.c'),
      join(here, 'tsv_pipe.c'),
      join(here, 'tsv_notify.c'),
      // libuv's header, where Node's headers are installed (tsv_pipe.c declares the few calls it
      // makes by hand otherwise)
      ...(existsSync(join(nodeInclude, 'uv.h')) ? ['-I', nodeInclude] : []),
      '-lm',
    ],
  },
  { name: 'tsv-exec', args: [...common, '-s', join(here, 'tsv_exec.c')] },
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
console.log(`native: built ${results.map((r) => r.name).join(', ')} in ${Date.now() - started} ms`);

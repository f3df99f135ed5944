// The prebuilt native binaries an npm package of tsupervisor carries (scripts/pack.sh puts them in
// native/prebuilt/<platform>/), and picking the one that fits this machine at install time.
//
// A platform is `linux-<arch>-<libc>`: linux-x64-glibc, linux-arm64-glibc, linux-x64-musl …
// TSV_NATIVE_PLATFORM names another one (tests use it to see the fallback to cc). A prebuilt
// "fits" only when it is actually usable here: the addon loads into this node and the shim
// execs a program; a binary linked against a newer glibc than the machine's fails that check
// and the caller builds from source instead.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/** The files of one build, the same names in native/build and in each prebuilt folder. */
export const NATIVE_FILES = ['tsv_native.node', 'tsv-exec'];

/** This machine's platform key (or TSV_NATIVE_PLATFORM's). */
export function platformKey() {
  if (process.env.TSV_NATIVE_PLATFORM) return process.env.TSV_NATIVE_PLATFORM;
  const header = process.report?.getReport?.().header ?? {};
  const libc = header.glibcVersionRuntime ? 'glibc' : 'musl';
  return `${process.platform}-${process.arch}-${libc}`;
}

/** The prebuilt folder for `key` under `nativeDir`, or null when the package has none. */
export function prebuiltDir(nativeDir, key = platformKey()) {
  const dir = join(nativeDir, 'prebuilt', key);
  return NATIVE_FILES.every((f) => existsSync(join(dir, f))) ? dir : null;
}

/** Whether the addon loads and the shim runs `node -e ''`: null when so, else why not (one line). */
export function checkBuild(dir) {
  const addon = join(dir, 'tsv_native.node');
  const load = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(addon)}).getrlimit('nofile')`], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (load.status !== 0) return `the addon does not load: ${firstLine(load.stderr || load.error?.message)}`;
  const shim = spawnSync(join(dir, 'tsv-exec'), ['--', process.execPath, 'node', '-e', ''], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (shim.status !== 0) return `the exec shim does not run: ${firstLine(shim.stderr || shim.error?.message)}`;
  return null;
}

function firstLine(text) {
  const lines = String(text ?? '').split('\n').map((l) => l.trim()).filter(Boolean);
  // node's own message for a failed dlopen is the line that starts with "Error:"
  return lines.find((l) => /^Error:/.test(l)) ?? lines[0] ?? 'unknown error';
}

/** Copies a prebuilt folder into `out` (each file renamed into place, as build.mjs does). */
export function installPrebuilt(from, out) {
  mkdirSync(out, { recursive: true });
  for (const name of NATIVE_FILES) {
    const tmp = join(out, `.${name}.${process.pid}.tmp`);
    try {
      copyFileSync(join(from, name), tmp);
      renameSync(tmp, join(out, name));
    } finally {
      rmSync(tmp, { force: true });
    }
  }
}

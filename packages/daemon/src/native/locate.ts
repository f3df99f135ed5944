/**
 * Where the native layer's build lives (native/build under the package root: @tsupervisor/daemon
 * in a clone, `tsupervisor` when installed from the npm package that scripts/pack.sh makes, whose
 * install script copied the fitting prebuilt there) and building it once on demand when it is
 * missing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The package root that holds native/build.mjs, found by walking up from this file (works from
 * src/, dist/src/ and the bundle in dist/bundle/, in a clone and in the npm package).
 */
function findPackageRoot(): string {
  const start = dirname(fileURLToPath(import.meta.url));
  let dir = start;
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        const { name } = JSON.parse(readFileSync(pkg, 'utf8'));
        // the clone's root package.json is also named tsupervisor: it has no native/
        if (name === '@tsupervisor/daemon' || (name === 'tsupervisor' && existsSync(join(dir, 'native', 'build.mjs')))) return dir;
      } catch {
        /* unreadable package.json: keep walking */
      }
    }
    const up = dirname(dir);
    if (up === dir) throw new Error(`tsupervisord: cannot find the @tsupervisor/daemon or tsupervisor package root above ${start}`);
    dir = up;
  }
}

export const PACKAGE_ROOT: string = findPackageRoot();

/** This machine's platform key, as native/prebuilt.mjs names it (TSV_NATIVE_PLATFORM overrides). */
function platformKey(): string {
  if (process.env.TSV_NATIVE_PLATFORM) return process.env.TSV_NATIVE_PLATFORM;
  return `${process.platform}-${process.arch}-${libc()}`;
}

/**
 * The C library node runs on: musl's dynamic loader is mapped into a process linked against it
 * (ld-musl-ARCH.so.1). Read from /proc/self/maps, not from process.report.getReport(), which
 * builds a whole diagnostic report (tens of ms at every start of an installed daemon).
 */
function libc(): 'glibc' | 'musl' {
  try {
    return readFileSync('/proc/self/maps', 'utf8').includes('/ld-musl-') ? 'musl' : 'glibc';
  } catch {
    const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header;
    return header?.glibcVersionRuntime ? 'glibc' : 'musl';
  }
}

const complete = (dir: string) => existsSync(join(dir, 'tsv_native.node')) && existsSync(join(dir, 'tsv-exec'));

/**
 * native/build (built here, or the prebuilt the install script checked and copied there); when
 * it is incomplete and the npm package carries a prebuilt for this platform (its install script
 * was skipped: `npm install --ignore-scripts`, or an npm that blocks install scripts), that one.
 */
function nativeBuildDir(): string {
  const built = join(PACKAGE_ROOT, 'native', 'build');
  if (complete(built)) return built;
  const prebuilt = join(PACKAGE_ROOT, 'native', 'prebuilt', platformKey());
  return complete(prebuilt) ? prebuilt : built;
}

export const NATIVE_BUILD_DIR: string = nativeBuildDir();
export const ADDON_PATH: string = join(NATIVE_BUILD_DIR, 'tsv_native.node');
/** The exec shim: `spawn(SHIM_PATH, shimArgs(spec), { stdio })`. */
export const SHIM_PATH: string = join(NATIVE_BUILD_DIR, 'tsv-exec');

/** In the npm package (prebuilt binaries carried) the fix is to reinstall, in a clone pnpm install. */
const FROM_PACKAGE = existsSync(join(PACKAGE_ROOT, 'native', 'prebuilt'));

export function notBuilt(what: string, cause?: unknown): Error {
  const fix = FROM_PACKAGE
    ? `install tsupervisor again (npm install -g) or run \`node ${join(PACKAGE_ROOT, 'native', 'build.mjs')}\``
    : `run pnpm install (on a tree whose node_modules is already up to date pnpm skips install scripts: then run ` +
      `\`node packages/daemon/native/build.mjs\` or \`pnpm install --force\`; it needs cc)`;
  const err = new Error(
    `tsupervisord: the native ${what} is not built or cannot be loaded; ${fix}` +
      (cause instanceof Error ? `: ${cause.message}` : ''),
    { cause },
  ) as Error & { code: string };
  err.code = 'ERR_TSV_NATIVE_NOT_BUILT';
  return err;
}

let buildTried = false;

/**
 * pnpm 12 skips every lifecycle script, this package's `install` included, when node_modules is
 * already up to date. A tree whose native/build was removed therefore stays unbuilt after
 * `pnpm install`. So when a piece is missing, build it once here (about 0.5 s, needs cc; in the npm
 * package build.mjs copies the fitting prebuilt instead, e.g. after `npm install --ignore-scripts`);
 * TSV_NATIVE_AUTOBUILD=0 turns this off. Returns the build's complaint, or null on success.
 */
export function buildOnce(): string | null {
  if (buildTried) return 'an earlier build attempt failed';
  buildTried = true;
  if (process.env.TSV_NATIVE_AUTOBUILD === '0') return 'TSV_NATIVE_AUTOBUILD=0';
  const script = join(PACKAGE_ROOT, 'native', 'build.mjs');
  if (!existsSync(script)) return `${script} is missing`;
  process.stderr.write(`tsupervisord: the native layer is not built; building it now (node ${script})\n`);
  const r = spawnSync(process.execPath, [script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.error) return r.error.message;
  if (r.status !== 0) return (r.stderr || r.stdout || `exit ${r.status}`).trim();
  return null;
}

/**
 * Builds the Go FastCGI fixture (test/fixtures/fastcgi-go/main.go) with the local Go toolchain,
 * standard library only, and caches the binary in test/.cache keyed by the source's hash and
 * the Go version. Safe when several test files build at once (build to a temp name, rename).
 */
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { cacheDir, fixturesDir } from './paths.js';

const run = promisify(execFile);

export const goAppSource = join(fixturesDir, 'fastcgi-go', 'main.go');

/** The environment for `go`: no network, no toolchain download, caches inside test/.cache. */
export function goEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    GOTOOLCHAIN: 'local',
    GOPROXY: 'off',
    GOFLAGS: '',
    GO111MODULE: 'off',
    GOCACHE: join(cacheDir, 'go-build'),
    GOPATH: join(cacheDir, 'gopath'),
    CGO_ENABLED: '0',
  };
}

let pending: Promise<string> | undefined;

/** Returns the path of the built fixture binary, building it when the cache has none. */
export function buildGoApp(): Promise<string> {
  pending ??= build().catch((e) => {
    pending = undefined;
    throw e;
  });
  return pending;
}

async function build(): Promise<string> {
  const env = goEnv();
  const { stdout: version } = await run('go', ['version'], { env, timeout: 30_000 });
  const hash = createHash('sha256').update(readFileSync(goAppSource)).update(version).digest('hex').slice(0, 16);
  mkdirSync(cacheDir, { recursive: true });
  const bin = join(cacheDir, `fastcgi-${hash}`);
  if (existsSync(bin)) return bin;
  const tmp = `${bin}.${process.pid}.tmp`;
  try {
    await run('go', ['build', '-o', tmp, goAppSource], { env, timeout: 180_000 });
    renameSync(tmp, bin);
  } finally {
    rmSync(tmp, { force: true });
  }
  return bin;
}

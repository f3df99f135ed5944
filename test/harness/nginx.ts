/**
 * Runs a private nginx in front of a FastCGI pool (or of HTTP servers, as one upstream): its own nginx.conf, pid file, logs and temp
 * paths inside a temp dir, `daemon off` so it is our child and we stop it by pid.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { descendantsOf, isAlive, killPid, startedPids, waitFor } from './procs.js';
import { canConnect } from './net.js';
import { makeTmpDir } from './tmp.js';

export interface NginxOptions {
  /** 127.0.0.1 port nginx listens on. */
  listenPort: number;
  /** What goes after `fastcgi_pass`: `127.0.0.1:9001` or `unix:/path/fcgi.sock`. */
  fastcgiPass?: string;
  /**
   * Instead of fastcgiPass: HTTP servers (`127.0.0.1:8001`) proxied as one upstream, never
   * marked down (max_fails=0): a request that cannot connect to one is tried on the next, so
   * it fails only when none accepts.
   */
  upstreams?: string[];
  /** `user` directive (`nobody nogroup`); only meaningful when started as root. */
  user?: string;
  /** Document root (`root`), e.g. for php-cgi's SCRIPT_FILENAME; nginx's default when omitted. */
  root?: string;
  /** Directory for nginx's files; a fresh temp dir (removed at stop) when omitted. */
  dir?: string;
  readyTimeoutMs?: number;
}

export interface Nginx {
  dir: string;
  conf: string;
  pid: number;
  /** nginx's error log so far (for assertion messages). */
  errorLog(): string;
  stop(): Promise<void>;
}

export const nginxBin = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => existsSync(p)) ?? 'nginx';

export function nginxConf(dir: string, o: NginxOptions): string {
  return `# written by test/harness/nginx.ts
${o.user ? `user ${o.user};` : ''}
daemon off;
master_process on;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log info;
events { worker_connections 512; }
http {
    access_log ${dir}/access.log;
    client_body_temp_path ${dir}/client_body;
    proxy_temp_path ${dir}/proxy;
    fastcgi_temp_path ${dir}/fastcgi;
    uwsgi_temp_path ${dir}/uwsgi;
    scgi_temp_path ${dir}/scgi;
    ${o.upstreams ? `upstream pool { ${o.upstreams.map((u) => `server ${u} max_fails=0;`).join(' ')} }` : ''}
    server {
        listen 127.0.0.1:${o.listenPort};
        ${o.root ? `root ${o.root};` : ''}
        location / {
            ${o.upstreams ? 'proxy_pass http://pool;' : `include /etc/nginx/fastcgi.conf;
            fastcgi_pass ${o.fastcgiPass};`}
        }
    }
}
`;
}

export async function startNginx(o: NginxOptions): Promise<Nginx> {
  const tmp = o.dir ? undefined : makeTmpDir('tsv-nginx-', 0o755);
  const dir = o.dir ?? tmp!.path;
  mkdirSync(dir, { recursive: true });
  const conf = join(dir, 'nginx.conf');
  writeFileSync(conf, nginxConf(dir, o));
  const errorLog = () => {
    try {
      return readFileSync(join(dir, 'error.log'), 'utf8');
    } catch {
      return '';
    }
  };
  const child: ChildProcess = spawn(nginxBin, ['-c', conf, '-p', dir, '-e', join(dir, 'error.log')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const pid = child.pid!;
  startedPids.add(pid);
  let exited = false;
  child.once('exit', () => (exited = true));

  const stop = async () => {
    const workers = descendantsOf(pid);
    if (isAlive(pid)) {
      killPid(pid, 'SIGQUIT'); // graceful: workers finish their requests and exit, then the master
      try {
        await waitFor('nginx to exit', () => exited || !isAlive(pid), 5000);
      } catch {
        killPid(pid, 'SIGKILL');
      }
    }
    await waitFor('nginx exit event', () => exited, 2000).catch(() => undefined);
    for (const w of workers) if (isAlive(w)) killPid(w, 'SIGKILL');
    startedPids.delete(pid);
    tmp?.remove();
  };

  try {
    await waitFor(
      `nginx on 127.0.0.1:${o.listenPort}`,
      async () => {
        if (exited) throw new Error(`nginx exited early: ${stderr}${errorLog()}`);
        return canConnect({ port: o.listenPort }, 500);
      },
      o.readyTimeoutMs ?? 10_000,
    );
  } catch (e) {
    await stop();
    throw e;
  }
  return { dir, conf, pid, errorLog, stop };
}

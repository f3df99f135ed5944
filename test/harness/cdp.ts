/**
 * Drives Debian's chromium headless through the DevTools protocol with no dependency: a minimal
 * WebSocket client (RFC 6455: the handshake, masked text frames out, unmasked frames in) over
 * node's net, enough for CDP's JSON messages. Node 20 has no WebSocket client of its own and
 * the repo has no `ws`; puppeteer-core would be a large dependency for a few calls.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { waitFor } from './procs.js';

export const chromiumBin = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p)) ?? null;

export class Cdp {
  private buffer = Buffer.alloc(0);
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void }>();

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (d: Buffer) => this.read(d));
  }

  static async open(port: number, path: string): Promise<Cdp> {
    const socket = net.connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
    const rest = await new Promise<Buffer>((resolve, reject) => {
      let head = Buffer.alloc(0);
      const onData = (d: Buffer) => {
        head = Buffer.concat([head, d]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        socket.off('data', onData);
        if (!/^HTTP\/1\.1 101/.test(head.toString('latin1'))) reject(new Error(`no upgrade: ${head.toString('latin1', 0, end)}`));
        else resolve(head.subarray(end + 4));
      };
      socket.on('data', onData);
    });
    const cdp = new Cdp(socket);
    if (rest.length > 0) cdp.read(rest);
    return cdp;
  }

  private read(d: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, d]);
    for (;;) {
      const b = this.buffer;
      if (b.length < 2) return;
      let len = b[1]! & 0x7f;
      let at = 2;
      if (len === 126) {
        if (b.length < 4) return;
        len = b.readUInt16BE(2);
        at = 4;
      } else if (len === 127) {
        if (b.length < 10) return;
        len = Number(b.readBigUInt64BE(2));
        at = 10;
      }
      if (b.length < at + len) return;
      const opcode = b[0]! & 0x0f;
      const payload = b.subarray(at, at + len);
      this.buffer = b.subarray(at + len);
      if (opcode !== 1) continue; // CDP sends whole text frames
      const msg = JSON.parse(payload.toString('utf8')) as { id?: number; result?: unknown; error?: { message: string } };
      const w = msg.id === undefined ? undefined : this.waiting.get(msg.id);
      if (!w) continue;
      this.waiting.delete(msg.id!);
      if (msg.error) w.reject(new Error(msg.error.message));
      else w.resolve(msg.result);
    }
  }

  send(method: string, params: Record<string, unknown> = {}): Promise<any> {
    const id = this.nextId++;
    const data = Buffer.from(JSON.stringify({ id, method, params }));
    const mask = randomBytes(4);
    const head = data.length < 126 ? Buffer.from([0x81, 0x80 | data.length]) : Buffer.alloc(4);
    if (data.length >= 126) {
      if (data.length > 0xffff) throw new Error('message too long for this client');
      head[0] = 0x81;
      head[1] = 0x80 | 126;
      head.writeUInt16BE(data.length, 2);
    }
    for (let i = 0; i < data.length; i++) data[i]! ^= mask[i % 4]!;
    this.socket.write(Buffer.concat([head, mask, data]));
    return new Promise((resolve, reject) => this.waiting.set(id, { resolve, reject }));
  }

  /** A page expression's value (awaited if it is a promise). */
  async evaluate<T>(expression: string): Promise<T> {
    const r = await this.send('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true });
    if (r.exceptionDetails) throw new Error(`${expression}: ${JSON.stringify(r.exceptionDetails)}`);
    return r.result.value as T;
  }

  close(): void {
    this.socket.destroy();
  }
}

/** chromium headless on `url` with the DevTools protocol on a port of its own choosing. */
export async function openPage(url: string, dir: string): Promise<{ page: Cdp; browser: ChildProcess }> {
  // TMPDIR: chromium's singleton socket goes in a temp dir of its own, which a killed browser
  // leaves behind (one /tmp/org.chromium.Chromium.* a run): in `dir`, it goes with the test's
  const browser = spawn(chromiumBin!, ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', `--user-data-dir=${dir}`, '--remote-debugging-port=0', '--window-size=1100,800', url], {
    stdio: 'ignore',
    env: { ...process.env, TMPDIR: dir },
  });
  const portFile = join(dir, 'DevToolsActivePort');
  const port = await waitFor('DevToolsActivePort', () => existsSync(portFile) && Number(readFileSync(portFile, 'utf8').split('\n')[0]), 20_000);
  const targets = await waitFor('the page target', async () => {
    const list = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as Array<{ type: string; webSocketDebuggerUrl: string }>;
    return list.find((t) => t.type === 'page');
  }, 10_000);
  const page = await Cdp.open(port, new URL(targets.webSocketDebuggerUrl).pathname);
  return { page, browser };
}

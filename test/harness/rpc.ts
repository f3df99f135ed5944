/**
 * A raw client for the control socket: write any bytes, read the answers line by line. For
 * tests that feed the daemon what a well-behaved client never would (the typed client in
 * @tsupervisor/protocol refuses to).
 */
import net from 'node:net';

export interface RpcMessage {
  jsonrpc?: string;
  id?: unknown;
  result?: unknown;
  error?: { code: number; message: string };
  method?: string;
  params?: unknown;
}

export class RawConnection {
  private buffer = '';
  private readonly lines: string[] = [];
  private waiters: Array<() => void> = [];
  closed = false;
  /** Bytes received so far. */
  received = 0;
  readonly closedPromise: Promise<void>;

  private constructor(readonly socket: net.Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      this.received += Buffer.byteLength(d);
      this.buffer += d;
      let nl: number;
      while ((nl = this.buffer.indexOf('\n')) >= 0) {
        this.lines.push(this.buffer.slice(0, nl));
        this.buffer = this.buffer.slice(nl + 1);
      }
      this.wake();
    });
    socket.on('error', () => undefined);
    this.closedPromise = new Promise((resolve) =>
      socket.on('close', () => {
        this.closed = true;
        this.wake();
        resolve();
      }),
    );
  }

  /** Connects; EAGAIN (accept queue full during a flood) is retried until timeoutMs. */
  static async open(path: string, timeoutMs = 5000): Promise<RawConnection> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      try {
        return await RawConnection.openOnce(path, timeoutMs);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EAGAIN' || Date.now() > end) throw e;
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  }

  private static openOnce(path: string, timeoutMs: number): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = net.createConnection({ path });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`connect ${path}: timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeListener('error', reject);
        resolve(new RawConnection(socket));
      });
      socket.once('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  write(data: string | Buffer): void {
    this.socket.write(data);
  }

  /** Sends one request frame. */
  request(id: number | string | null, method: string, params?: unknown): void {
    const message: Record<string, unknown> = { jsonrpc: '2.0', id, method };
    if (params !== undefined) message['params'] = params;
    this.write(JSON.stringify(message) + '\n');
  }

  /** The next line, parsed; rejects on close or after timeoutMs. */
  async next(timeoutMs = 5000): Promise<RpcMessage> {
    const end = Date.now() + timeoutMs;
    while (this.lines.length === 0) {
      if (this.closed) throw new Error(`connection closed (buffered: ${JSON.stringify(this.buffer.slice(0, 200))})`);
      const left = end - Date.now();
      if (left <= 0) throw new Error(`no answer within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return JSON.parse(this.lines.shift()!) as RpcMessage;
  }

  /** Sends a request and returns its answer (notifications in between are skipped). */
  async call(method: string, params?: unknown, timeoutMs = 5000): Promise<RpcMessage> {
    const id = Math.floor(Math.random() * 1e9);
    this.request(id, method, params);
    for (;;) {
      const m = await this.next(timeoutMs);
      if (m.id === id) return m;
    }
  }

  /** Resolves true if the daemon closes the connection within timeoutMs. */
  async waitClosed(timeoutMs = 5000): Promise<boolean> {
    if (this.closed) return true;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    const r = await Promise.race([this.closedPromise.then(() => true as const), timeout]);
    clearTimeout(timer);
    return r;
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/**
 * The controller state shared by every command, in one-shot and interactive mode alike:
 * settings, the exit status being built, output, the (lazy) connection and Ctrl-C handling.
 */
import { API_VERSION, Faults, type ProcessInfo } from '@tsupervisor/protocol';
import { ControlClient, NoAnswer, SpeaksHttp, type ConnectTarget, type RpcClient } from '@tsupervisor/protocol';
import { ConnectError, Exit, UnsupportedUrl, Upcheck, isFault, unknownProtocol } from './render/faults.js';
import type { Settings } from './options.js';
import type { LineInput, ReadResult } from './input.js';
import { type Painter, wantColour } from './render/color.js';

export interface Output {
  write(text: string): void;
  writeError(text: string): void;
  /** A promise while stdout holds unwritten output (a pipe whose reader is slow), else null. */
  congested?(): Promise<void> | null;
}

export const processOutput: Output = {
  write: (text) => void process.stdout.write(text),
  writeError: (text) => void process.stderr.write(text),
  congested: () =>
    process.stdout.writableNeedDrain ? new Promise((resolve) => process.stdout.once('drain', () => resolve())) : null,
};

export class Ctl {
  exitstatus: number = Exit.SUCCESS;
  /** Set by the interactive shell; one-shot mode reads stdin only when a command asks. */
  input: LineInput | null = null;
  private client: RpcClient | null = null;
  private connecting: Promise<RpcClient> | null = null;
  /** What the server speaks, learnt from the first connection's probe (null: not asked yet). */
  private speaks: 'json-rpc' | 'xml-rpc' | null = null;

  /** Whether the server is supervisord itself (XML-RPC), as the last connection's probe found. */
  get speaksXmlRpc(): boolean {
    return this.speaks === 'xml-rpc';
  }
  private upchecked = false;
  private interruptListeners = new Set<() => void>();
  private sigintInstalled = false;
  private completeInfo: ProcessInfo[] | null = null;

  constructor(
    readonly settings: Settings,
    readonly out: Output = processOutput,
    /** How long a silent server may take to answer the first probe, if longer than the default (a fleet's --timeout). */
    private readonly patienceMs = 0,
  ) {}

  /** supervisorctl's `output`: one line on stdout. */
  output(message: string): void {
    this.out.write(`${message}\n`);
  }

  outputError(message: string): void {
    this.out.writeError(`${message}\n`);
  }

  private credentials(): { username: string; password: string } | undefined {
    // a fleet's http:// URL may carry its own (http://user:password@host:port)
    const m = /^http:\/\/([^/@:]*)(?::([^/@]*))?@/.exec(this.settings.serverurl);
    if (m) return { username: decodeURIComponent(m[1]!), password: decodeURIComponent(m[2] ?? '') };
    const { username, password } = this.settings;
    if (username === null && password === null) return undefined;
    return { username: username ?? '', password: password ?? '' };
  }

  /**
   * Where the server URL points: a unix:// socket path, or the host and port of an http:// URL
   * (tsupervisord's [inet_http_server] answers JSON-RPC as its control socket does; supervisord's
   * answers XML-RPC only).
   */
  private target(): ConnectTarget {
    const url = this.settings.serverurl;
    if (url.startsWith('unix://')) return url.slice('unix://'.length);
    if (!url.startsWith('http://')) throw unknownProtocol(url);
    try {
      const u = new URL(url);
      return { host: u.hostname.replace(/^\[(.*)\]$/, '$1') || 'localhost', port: u.port ? Number(u.port) : 80 };
    } catch {
      throw new UnsupportedUrl(url, this.settings.configfile === null);
    }
  }

  /**
   * A new connection (for log following, which keeps its connection busy). The first one's probe
   * tells tsupervisord (JSON-RPC) from supervisord (XML-RPC over HTTP, code loaded only then);
   * later ones reuse the answer until the connection is forgotten.
   */
  async connect(): Promise<RpcClient> {
    const target = this.target();
    if (this.speaks === 'xml-rpc') return this.xmlRpc(target);
    try {
      const client = await ControlClient.connect(target, this.credentials(), this.patienceMs);
      this.speaks = 'json-rpc';
      return client;
    } catch (err) {
      if (err instanceof SpeaksHttp) {
        this.speaks = 'xml-rpc';
        return this.xmlRpc(target);
      }
      if (err instanceof NoAnswer) throw err;
      const code = (err as NodeJS.ErrnoException).code;
      throw new ConnectError(code ?? 'EIO', (err as Error).message, typeof target !== 'string');
    }
  }

  private async xmlRpc(target: ConnectTarget): Promise<RpcClient> {
    const { XmlRpcClient } = await import('./xmlrpc/transport.js');
    return new XmlRpcClient(target, this.credentials());
  }

  /** The shared connection, made on first use and remade after the daemon closed it. */
  async rpc(): Promise<RpcClient> {
    if (this.client) return this.client;
    if (!this.connecting) {
      this.connecting = this.connect().then(
        (client) => {
          this.client = client;
          this.connecting = null;
          client.onClose(() => {
            if (this.client === client) this.forget();
          });
          return client;
        },
        (err) => {
          this.connecting = null;
          throw err;
        },
      );
    }
    return this.connecting;
  }

  /** Drops the shared connection (after `open`, a re-login, or the daemon closing it). */
  forget(): void {
    const client = this.client;
    this.client = null;
    this.upchecked = false;
    this.speaks = null;
    client?.close();
  }

  /**
   * supervisorctl's upcheck: is the server there and does it speak API 3.0? Prints the reason
   * and sets the exit status when not; other errors propagate to the catch-all.
   */
  async upcheck(): Promise<boolean> {
    if (this.upchecked && this.client) return true;
    try {
      const client = await this.rpc();
      const api = await (client.probedApiVersion?.() ?? client.call('supervisor.getAPIVersion'));
      if (api !== API_VERSION) {
        this.output(Upcheck.apiMismatch(API_VERSION, api));
        this.exitstatus = Exit.NOT_INSTALLED;
        return false;
      }
    } catch (err) {
      if (isFault(err, Faults.UNKNOWN_METHOD)) {
        this.output(Upcheck.unknownMethod);
        this.exitstatus = Exit.UNIMPLEMENTED_FEATURE;
        return false;
      }
      if (err instanceof ConnectError && err.code === 'ECONNREFUSED') {
        this.output(Upcheck.refused(this.settings.serverurl));
        this.exitstatus = Exit.INSUFFICIENT_PRIVILEGES;
        return false;
      }
      if (err instanceof ConnectError && err.code === 'ENOENT') {
        this.output(Upcheck.noSuchFile(this.settings.serverurl));
        this.exitstatus = Exit.NOT_RUNNING;
        return false;
      }
      this.exitstatus = Exit.GENERIC;
      throw err;
    }
    this.upchecked = true;
    return true;
  }

  /** The state painter when colours are on (`--color`, or a terminal without NO_COLOR). */
  async painter(): Promise<Painter | null> {
    if (!wantColour(this.settings.color, Boolean(process.stdout.isTTY), process.env)) return null;
    const { loadPainter } = await import('./render/color.js');
    return loadPainter();
  }

  /** Process infos for tab completion, asked once per command line being edited. */
  async completionInfo(): Promise<ProcessInfo[]> {
    if (!this.completeInfo) this.completeInfo = await (await this.rpc()).call('supervisor.getAllProcessInfo');
    return this.completeInfo;
  }

  resetCompletion(): void {
    this.completeInfo = null;
  }

  /** A line from the user (confirmations, `fg`): the shell's input, or stdin made on demand. */
  async readLine(prompt: string, secret = false): Promise<ReadResult> {
    if (!this.input) {
      const { LineInput } = await import('./input.js');
      this.input = new LineInput({ terminal: false });
    }
    return this.input.read(prompt, secret);
  }

  /**
   * Ctrl-C for the running command: `interrupted` settles on the next SIGINT until disposed.
   * In one-shot mode the SIGINT handler exists only while someone listens.
   */
  interruptible(): { interrupted: Promise<void>; dispose: () => void } {
    let fire!: () => void;
    const interrupted = new Promise<void>((resolve) => (fire = resolve));
    this.interruptListeners.add(fire);
    if (!this.sigintInstalled) process.on('SIGINT', this.onSigint);
    return {
      interrupted,
      dispose: () => {
        this.interruptListeners.delete(fire);
        if (this.interruptListeners.size === 0 && !this.sigintInstalled) process.off('SIGINT', this.onSigint);
      },
    };
  }

  /** The shell owns SIGINT for the whole session and routes it here first. */
  ownSigint(): void {
    this.sigintInstalled = true;
  }

  private readonly onSigint = (): void => {
    this.interrupt();
  };

  /** Fires the running command's Ctrl-C listeners; false when nobody was listening. */
  interrupt(): boolean {
    if (this.interruptListeners.size === 0) return false;
    for (const fire of [...this.interruptListeners]) fire();
    this.interruptListeners.clear();
    if (!this.sigintInstalled) process.off('SIGINT', this.onSigint);
    return true;
  }

  close(): void {
    this.forget();
    this.input?.close();
  }
}

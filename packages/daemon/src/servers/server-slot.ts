/**
 * One server section ([unix_http_server] or [inet_http_server]) across reloads: supervisord
 * closes its HTTP servers at a reload and opens them from the new configuration. A changed
 * section closes the old server (stopServer: its connections ended once answered) and opens
 * the new one; one that cannot be opened then is reported (supervisord exits on it) and the
 * daemon goes on without it.
 */
import type net from 'node:net';
import { handOverListener, stopServer } from './control-server.js';

export class ServerSlot<C> {
  server: net.Server | null = null;

  constructor(
    /** The section in force (null: none configured). */
    public config: C | null,
    /** `adoptFd`: reexec's kept listening fd, served instead of a new socket. */
    private readonly open: (config: C, adoptFd?: number) => Promise<net.Server>,
    private readonly failed: (config: C, err: unknown) => void,
  ) {}

  /** At start-up: opens the configured server (on `adoptFd` after a reexec); its error is the caller's. */
  async start(adoptFd?: number): Promise<void> {
    if (this.config) this.server = await this.open(this.config, adoptFd);
  }

  /** reexec: the listening fd, kept open for the next image while this server closes; null: none. */
  handOver(): number | null {
    const server = this.server;
    this.server = null;
    return server ? handOverListener(server) : null;
  }

  /** At a reload: applies `wanted` if it differs; `closing()` says the daemon is exiting. */
  async apply(wanted: C | null, closing: () => boolean): Promise<void> {
    if (JSON.stringify(wanted) === JSON.stringify(this.config)) return;
    this.config = wanted;
    if (this.server) stopServer(this.server);
    this.server = null;
    if (!wanted) return;
    try {
      const opened = await this.open(wanted);
      // a later reload may have changed it again meanwhile
      if (this.config === wanted && !closing()) this.server = opened;
      else stopServer(opened);
    } catch (err) {
      this.failed(wanted, err);
    }
  }

  close(): void {
    this.server?.close();
  }
}

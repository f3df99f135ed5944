/**
 * The daemon's end of a child's stdin pipe (sendProcessStdin). Held as a bare fd: a stream
 * around it (a net.Socket with its state objects and libuv handle, about 1.5 kB) is made only on
 * the first write, since most children are never written to and a daemon may run thousands.
 */
import { Socket } from 'node:net';
import { closeFd } from '../native/index.js';

export class ChildStdin {
  private socket: Socket | null = null;
  private closed = false;

  constructor(readonly fd: number) {}

  get writable(): boolean {
    return !this.closed && !(this.socket?.destroyed ?? false);
  }

  write(chars: string): void {
    if (!this.socket) {
      this.socket = new Socket({ fd: this.fd, readable: false, writable: true });
      // EPIPE when the child closed its stdin (or died) while we write to it: not the daemon's end
      this.socket.on('error', () => {});
    }
    this.socket.write(chars);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.socket) this.socket.destroy();
    else {
      try {
        closeFd(this.fd);
      } catch {
        // EBADF: already closed
      }
    }
  }
}

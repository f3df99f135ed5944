/** A process group: the processes of one section (or a [group:x]) and, for fcgi, its socket. */
import type { GroupConfig } from '../config/types.js';
import type { FcgiSocket } from '../sockets/fcgi-socket.js';
import type { Subprocess } from './subprocess.js';
import { isStoppedState } from './transition.js';

export class ProcessGroup {
  readonly processes: Subprocess[] = [];

  constructor(
    public config: GroupConfig,
    public socket: FcgiSocket | null,
  ) {}

  get name(): string {
    return this.config.name;
  }

  get priority(): number {
    return this.config.priority;
  }

  get(name: string): Subprocess | undefined {
    return this.processes.find((p) => p.name === name);
  }

  /** Processes ascending by priority, config order among equals (supervisor's sort). */
  byPriority(): Subprocess[] {
    return [...this.processes].sort((a, b) => a.config.priority - b.config.priority);
  }

  /** Processes by name (supervisor's lexical order for status). */
  lexical(): Subprocess[] {
    return [...this.processes].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  unstopped(): Subprocess[] {
    return this.processes.filter((p) => !isStoppedState(p.state));
  }
}

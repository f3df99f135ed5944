/**
 * What the supervisor tells the rest of the daemon, as one event map: each event's name and
 * the arguments its listeners get. `Supervisor` is an `EventEmitter<SupervisorEvents>`, so an
 * `on`/`off`/`emit` with a name not listed here, or with the wrong arguments, does not compile.
 *
 * Who emits what: the supervisor itself (`state`, `groupAdded`, `groupRemoved`,
 * `essentialFailed`), each process through its host (`processState`, `ready`), the start gate
 * (`dependencyWaiting`, `dependencyReleased`, `dependencyFailed`), `supervisor.sendRemoteCommEvent` (`remoteComm`) and the event system
 * (`event`, every supervisor event once built, for `tsupervisor.subscribeEvents`).
 */
import type { SupervisorStateName } from '@tsupervisor/protocol';
import type { SupervisorEvent } from './events/event.js';
import type { ProcessGroup } from './process/group.js';
import type { StateChange } from './process/host.js';
import type { Subprocess } from './process/subprocess.js';

export interface SupervisorEvents {
  /** A process changed state (every transition, in order). */
  processState: [change: StateChange];
  /** A process became ready (process/dependencies.ts says when). */
  ready: [process: Subprocess];
  /** depends_on=: a process is held, waiting for these (`db:ready`), or what it waits for changed. */
  dependencyWaiting: [process: Subprocess, waitingFor: string[]];
  /** depends_on=: a held process is let go: started, failed (with the reason) or its start cancelled. */
  dependencyReleased: [process: Subprocess, outcome: 'started' | 'failed' | 'cancelled', reason: string | null];
  /** depends_on=: a held process will not start (what it waits for failed). */
  dependencyFailed: [process: Subprocess, reason: string];
  /** essential=true: a program the daemon cannot live without failed for good (main.ts exits). */
  essentialFailed: [why: string];
  /** The supervisor's own state (RUNNING, RESTARTING, SHUTDOWN), as getState names it. */
  state: [state: SupervisorStateName];
  groupAdded: [group: ProcessGroup];
  groupRemoved: [name: string];
  /** supervisor.sendRemoteCommEvent's message, to become a REMOTE_COMMUNICATION event. */
  remoteComm: [message: { type: string; data: string }];
  /** Every supervisor event, once published (tsupervisor.subscribeEvents streams them). */
  event: [event: SupervisorEvent];
}

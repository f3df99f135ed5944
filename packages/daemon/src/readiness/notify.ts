/**
 * ready=notify: the child gets NOTIFY_SOCKET; READY=1 from it (or a descendant) is ready,
 * STATUS= is shown in `status` and WATCHDOG=1 feeds healthcheck=notify for as long as the child
 * lives (not only while STARTING). An armed dependent's gate can be let go by the socket's
 * native reader itself at the READY=1 (goOnReady), before the daemon's JS reads the datagram.
 */
import type { Logger } from '../logger.js';
import { notifySocket } from './notify-socket.js';
import type { Probe, ProbeHooks, ProbeSetup } from './probe.js';

export function notifySetup(logger: Logger): ProbeSetup {
  const socket = notifySocket(logger);
  return {
    env: { NOTIFY_SOCKET: socket.address },
    childFd: null,
    start(pid: number, hooks: ProbeHooks): Probe {
      let checking = true;
      const unregister = socket.register(pid, (msg) => {
        if (!msg) return;
        if (msg.status !== undefined) hooks.status(msg.status);
        if (msg.watchdog) hooks.watchdog?.();
        if (msg.ready && checking) {
          checking = false;
          hooks.ready();
        }
      });
      return {
        answer: () => 'no READY=1 received',
        stop: () => {
          checking = false;
          socket.goDisable(pid);
        },
        close: () => {
          socket.goDisable(pid);
          unregister();
        },
        goOnReady: (fd) => {
          if (!checking) return null;
          const id = socket.goOnReady(pid, fd);
          return { cancel: () => socket.goCancel(id) };
        },
      };
    },
    discard() {},
  };
}

/**
 * Calls `onGone` once when the supervisor that started this process has died, however it died
 * (SIGKILL, the OOM killer, its terminal closed). The stack's supervisor starts each service with
 * a Node IPC channel (a socket on an extra stdio fd) that it never uses otherwise: the kernel
 * closes its end when the supervisor exits, and the service reads EOF ('disconnect'). A process
 * started without one (directly, by systemd, in a container) has no supervisor to outlive, and
 * nothing is watched.
 */
export function onSupervisorGone(onGone: () => void): void {
  if (process.channel === undefined) return;
  // The channel alone must not keep a service alive that has finished its work.
  process.channel.unref();
  if (!process.connected) {
    queueMicrotask(onGone);
    return;
  }
  process.once('disconnect', onGone);
}

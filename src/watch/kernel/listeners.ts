// Hands a batch of kernel events to every listener. A listener that throws has a bug: it crashes
// the process with its stack, as if thrown from a callback, and the other listeners still get the
// batch. Shared by the inotify and fanotify instances.
export function deliverToAll<T>(listeners: Iterable<(batch: T) => void>, batch: T): void {
  for (const listener of listeners) {
    try {
      listener(batch);
    } catch (error) {
      process.nextTick(() => {
        throw error;
      });
    }
  }
}

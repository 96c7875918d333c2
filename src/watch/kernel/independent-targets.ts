// A back-end whose targets share nothing (polling, chokidar): each arm makes one watcher of its own,
// and close() disarms whatever is still armed, so the process can exit.
import type {
  Armed,
  BackendCapabilities,
  BackendName,
  EventListener,
  WatchBackend,
  WatchTarget,
} from '../backend.js';

export function backendOfIndependentTargets(
  name: BackendName,
  can: BackendCapabilities,
  armOne: (target: WatchTarget, onEvent: EventListener) => Promise<Armed>,
): WatchBackend {
  const armed = new Set<Armed>();
  return {
    name,
    can,
    async arm(target, onEvent) {
      const one = await armOne(target, onEvent);
      armed.add(one);
      return {
        watchCount: () => one.watchCount(),
        knownStates: () => one.knownStates(),
        disarm: async () => {
          armed.delete(one);
          await one.disarm();
        },
      };
    },
    async close() {
      await Promise.all([...armed].map((a) => a.disarm()));
      armed.clear();
    },
  };
}

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
import type { Logger } from '../../log/logger.js';
import { compileScope, type Scope } from '../match.js';
import type { PathState } from '../path-state.js';

/**
 * What a back-end that learns of changes by comparing states (poll's scans, chokidar's looks after
 * a notification) cannot know: who made a change, which delete and create were one rename, a file
 * made and removed between two looks. A file entry sees its inode under any name, as the states do.
 */
export const STATE_COMPARING_CAN = {
  reportsPid: false,
  pairsRenames: false,
  seesShortLived: false,
  seesOtherNames: true,
} as const satisfies Partial<BackendCapabilities>;

/** One target's own watcher, armed once `start()` resolves: its scope compiled, its events as a set. */
export abstract class IndependentTarget implements Armed {
  protected readonly scope: Scope;
  protected readonly events: ReadonlySet<string>;

  constructor(
    protected readonly target: WatchTarget,
    protected readonly onEvent: EventListener,
    protected readonly logger: Logger,
  ) {
    this.scope = compileScope(target.path, target.exclude);
    this.events = new Set(target.events);
  }

  abstract start(): Promise<void>;
  abstract watchCount(): number;
  abstract knownStates(): Iterable<readonly [string, PathState]>;
  abstract disarm(): Promise<void>;
}

export function backendOfIndependentTargets(
  name: BackendName,
  can: BackendCapabilities,
  makeOne: (target: WatchTarget, onEvent: EventListener) => IndependentTarget,
): WatchBackend {
  const armed = new Set<Armed>();
  return {
    name,
    can,
    async arm(target, onEvent) {
      const one = makeOne(target, onEvent);
      await one.start();
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

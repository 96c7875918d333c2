// A back-end whose targets share nothing (polling, chokidar): each arm makes one watcher of its own,
// and close() disarms whatever is still armed, so the process can exit. What a watcher cannot read
// (a folder a scan could not open, chokidar's own errors) is logged once per target and cause
// through the back-end's TargetFaults, as the pool logs what it cannot arm, never once per scan.
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
import { faultOf, TargetFaults, type GuardedTarget } from './target-faults.js';

/** What every target of such a back-end shares: the logger, and one place that says a fault once. */
export interface IndependentDeps {
  readonly logger: Logger;
  readonly faults: TargetFaults<IndependentTarget>;
}

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
export abstract class IndependentTarget implements Armed, GuardedTarget {
  readonly scope: Scope;
  protected readonly events: ReadonlySet<string>;
  protected readonly logger: Logger;

  constructor(
    protected readonly target: WatchTarget,
    protected readonly onEvent: EventListener,
    private readonly deps: IndependentDeps,
  ) {
    this.scope = compileScope(target.path, target.exclude);
    this.events = new Set(target.events);
    this.logger = deps.logger;
  }

  get id(): string {
    return this.target.id;
  }

  /** Nothing is held between scans: the next one reads the folder again. */
  release(): void {}

  /** A folder a scan could not open (EACCES, ENAMETOOLONG, ...): said once per target and errno. */
  protected readonly cannotOpen = (dir: string, errno: string): void =>
    this.deps.faults.leftOut(this, dir, errno, null);

  /** The watcher failed at a path (`detail` says how): said once per target and errno, nothing ends. */
  protected failedAt(error: unknown, detail: (message: string) => string): void {
    const fault = faultOf(error, this.scope.named);
    this.deps.faults.leftOut(this, fault.path, fault.errno, detail(fault.message));
  }

  abstract start(): Promise<void>;
  abstract watchCount(): number;
  abstract knownStates(): Iterable<readonly [string, PathState]>;
  abstract disarm(): Promise<void>;
}

export function backendOfIndependentTargets(
  name: BackendName,
  can: BackendCapabilities,
  logger: Logger,
  Target: new (target: WatchTarget, onEvent: EventListener, deps: IndependentDeps) => IndependentTarget,
): WatchBackend {
  // A retry is not scheduled apart: the next scan (poll) or look (chokidar) reads the folder again.
  const deps: IndependentDeps = { logger, faults: new TargetFaults(logger, () => undefined) };
  const armed = new Set<Armed>();
  return {
    name,
    can,
    async arm(target, onEvent) {
      const one = new Target(target, onEvent, deps);
      await one.start();
      armed.add(one);
      return {
        watchCount: () => one.watchCount(),
        knownStates: () => one.knownStates(),
        disarm: async () => {
          armed.delete(one);
          deps.faults.forget(one);
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

// The one place of back-end policy: which back-end serves one path of an entry (its own `backend`,
// else the daemon's `--backend`; `auto` decides by the file system, select.ts's rule), what serves
// instead when it refuses (fanotify's mark → inotify; no ffi-rs → chokidar), and the retry with
// back-off of a path no back-end could arm (pool-watch.ts), the same for every back-end. The rest
// of the daemon asks for a watch and reads the back-end's declared capabilities, never its name.
// One instance of each back-end is made on first use and shared by every entry that uses it.
import { existsSync } from 'node:fs';
import {
  type BackendChoice,
  describePathSpec,
  type Entry,
  type PathSpec,
  watchBase,
} from '../watchtab/entry.js';
import type { BackendName, WatchBackend, WatchTarget } from '../watch/backend.js';
import type { Logger } from '../log/logger.js';
import { createInotifyBackend } from '../watch/inotify/backend.js';
import { createPollBackend } from '../watch/poll/backend.js';
import { createFanotifyBackend } from '../watch/fanotify/backend.js';
import { ffiLoadError } from '../system/ffi.js';
import { SystemCallError, WatchtabError } from '../errors.js';
import {
  AUTO_WANTED,
  fanotifyWanted,
  fellBack,
  fsTypeNear,
  selectBackend,
  withoutFfi,
  type FanotifyAvailability,
  type Selection,
  watchtabSelection,
} from '../watch/select.js';
import { TargetFaults } from '../watch/kernel/target-faults.js';
import { msgDaemon, msgPoll } from '../log/messages.js';
import { PoolWatch, type Served } from './pool-watch.js';

// chokidar serves only where ffi-rs cannot load: it is not even imported elsewhere.
const chokidarModule = ffiLoadError() === null ? null : await import('../watch/chokidar/backend.js');

/** How the pool makes a back-end, and how loud its choice is logged. */
interface Maker {
  make(logger: Logger): WatchBackend;
  /** inotify is the ordinary case; chokidar is a stand-in that sees less. */
  readonly chosenLevel: 'debug' | 'info' | 'warn';
  /** Where making it can be refused for good (privileges, kernel): asked once, this sentence after. */
  readonly refused?: (reason: string) => string;
}

/**
 * WATCHTAB_TEST_WALK_HOLD=FILE (tests only, watchtabd(8)): the background walk of fanotify
 * entries waits while FILE exists after its first folders, so a test can act during the walk.
 */
function walkHoldFromEnv(): { walkHold?: (folders: number) => boolean } {
  const file = process.env['WATCHTAB_TEST_WALK_HOLD'] ?? '';
  return file === '' ? {} : { walkHold: (folders) => folders >= 2 && existsSync(file) };
}

/**
 * WATCHTAB_TEST_RESCAN_HOLD=FILE (tests only, watchtabd(8)): each overflow rescan of the kernel
 * back-ends waits while FILE exists after its first folders, so a test can act during a rescan.
 */
function rescanHoldFromEnv(): { rescanHold?: (folders: number) => boolean } {
  const file = process.env['WATCHTAB_TEST_RESCAN_HOLD'] ?? '';
  return file === '' ? {} : { rescanHold: (folders) => folders >= 2 && existsSync(file) };
}

/** Every back-end the pool can make: a new back-end is one line here and one in select.ts's rule. */
const MAKERS: { readonly [N in BackendName]: Maker } = {
  inotify: {
    make: (logger) => createInotifyBackend({ logger, ...rescanHoldFromEnv() }),
    chosenLevel: 'debug',
  },
  fanotify: {
    make: (logger) => createFanotifyBackend({ logger, ...walkHoldFromEnv(), ...rescanHoldFromEnv() }),
    chosenLevel: 'info',
    refused: (reason) => msgDaemon.fanotifyRefused(reason),
  },
  poll: { make: (logger) => createPollBackend({ logger }), chosenLevel: 'info' },
  chokidar: {
    make: (logger) => {
      if (chokidarModule === null) throw new Error('the chokidar back-end is for systems without ffi-rs');
      return chokidarModule.createChokidarBackend({ logger });
    },
    chosenLevel: 'warn',
  },
};

export interface BackendPoolDeps {
  readonly logger: Logger;
  readonly defaultChoice: BackendChoice;
  readonly defaultPollIntervalMs: number;
}

/** Where a choice is made, as its log line names it. */
interface Place {
  readonly entry: string;
  readonly path: string;
  readonly pollIntervalMs: number;
}

/** Whether a path spec reaches into more than one folder. */
export function isRecursive(spec: PathSpec): boolean {
  return spec.kind === 'glob' && spec.maxDepth > 1;
}

export class BackendPool {
  /** Each back-end made, or why it was refused (asked once, remembered). */
  private readonly made = new Map<BackendName, WatchBackend | WatchtabError>();
  private readonly watches = new Set<PoolWatch>();
  private readonly faults: TargetFaults<PoolWatch>;
  /** Why ffi-rs could not be loaded (chokidar then stands in), or null. */
  private readonly noFfi = ffiLoadError();

  constructor(private readonly deps: BackendPoolDeps) {
    this.faults = new TargetFaults(deps.logger, (watch) => void watch.retry());
  }

  /**
   * A watch of one path of `entry`, its back-end chosen (and the choice logged) but not armed yet:
   * its capabilities can be read before `arm` (the entry's slot is made with them).
   */
  watch(entry: Entry, spec: PathSpec, target: WatchTarget): PoolWatch {
    const choice = entry.backend ?? this.deps.defaultChoice;
    const selection = this.select(entry, spec, choice);
    const at: Place = {
      entry: entry.name,
      path: describePathSpec(spec),
      pollIntervalMs: target.pollIntervalMs,
    };
    const served = this.serve(selection);
    this.logChosen(at, selection, served);
    const watch = new PoolWatch(at.entry, at.path, target, served, {
      logger: this.deps.logger,
      faults: this.faults,
      fallBack: (failure) => this.fallBack(at, selection, choice, failure),
      forget: (w) => this.watches.delete(w),
    });
    this.watches.add(watch);
    return watch;
  }

  /** The watchtab files are always watched natively: they live on a local file system. */
  watchtabBackend(): WatchBackend {
    const served = this.backend(watchtabSelection(this.noFfi).backend);
    if (served instanceof Error) throw served;
    return served;
  }

  /** Back-ends in use, by name, for `watchtab status`. */
  names(): string[] {
    return this.inUse().map((b) => b.name);
  }

  async close(): Promise<void> {
    for (const watch of this.watches) this.faults.forget(watch);
    this.watches.clear();
    const backends = this.inUse();
    this.made.clear();
    await Promise.all(backends.map((b) => b.close()));
  }

  private inUse(): WatchBackend[] {
    return [...this.made.values()].filter((b): b is WatchBackend => !(b instanceof WatchtabError));
  }

  private select(entry: Entry, spec: PathSpec, choice: BackendChoice): Selection {
    const base = watchBase(spec);
    const fs = choice === 'auto' ? fsTypeNear(base) : new Error('not asked');
    const wants = { isRecursive: isRecursive(spec), ignoresOwnChanges: entry.ignoreOwnChanges };
    const asksFanotify = choice === 'auto' && fanotifyWanted(wants) !== null;
    const fanotify: FanotifyAvailability = asksFanotify ? this.availability(AUTO_WANTED) : null;
    return withoutFfi(selectBackend(choice, base, fs, wants, fanotify), choice, this.noFfi);
  }

  /** Whether `name` can be made, making it the first time it is asked (for `auto`). */
  private availability(name: BackendName): FanotifyAvailability {
    this.backend(name);
    const made = this.made.get(name);
    return made instanceof WatchtabError ? made : 'available';
  }

  /** The back-end named, or why it cannot serve (its refusal, remembered). */
  private backend(name: BackendName): WatchBackend | Error {
    const maker = MAKERS[name];
    let made = this.made.get(name);
    if (made === undefined) {
      try {
        made = maker.make(this.deps.logger);
      } catch (error) {
        if (maker.refused === undefined || !(error instanceof WatchtabError)) throw error;
        made = error;
      }
      this.made.set(name, made);
    }
    return made instanceof WatchtabError ? new Error(maker.refused?.(made.message) ?? made.message) : made;
  }

  private serve(selection: Selection): Served | Error {
    const backend = this.backend(selection.backend);
    return backend instanceof Error ? backend : { backend };
  }

  /** The selection's fall-back after its back-end refused to arm (logged as a new choice), or the failure to retry. */
  private fallBack(
    at: Place,
    selection: Selection,
    choice: BackendChoice,
    failure: unknown,
  ): Served | { readonly retried: unknown } {
    const next = fellBack(selection, choice, failure instanceof Error ? failure.message : String(failure));
    if (next === null) return { retried: withoutFallBack(selection, failure) };
    const served = this.serve(next);
    this.logChosen(at, next, served, true);
    return served instanceof Error ? { retried: failure } : served;
  }

  /** `isFallBack`: said at info at least (the ordinary choice, inotify's, is said at debug). */
  private logChosen(at: Place, selection: Selection, served: Served | Error, isFallBack = false): void {
    const { backend, reason } = selection;
    const isPolled = !(served instanceof Error) && served.backend.can.needsPolling;
    const level = MAKERS[backend].chosenLevel;
    this.deps.logger[isFallBack && level === 'debug' ? 'info' : level](msgPoll.chosen(), {
      entry: at.entry,
      path: at.path,
      backend,
      reason,
      ...(isPolled ? { everySeconds: at.pollIntervalMs / 1000 } : {}),
    });
  }
}

/** A fanotify the entry names does not fall back: its refusal says so, and is retried as it is. */
function withoutFallBack(selection: Selection, failure: unknown): unknown {
  if (selection.backend !== 'fanotify' || !(failure instanceof SystemCallError)) return failure;
  const { call, errno, path, message } = failure;
  return new SystemCallError(call, errno, path, msgPoll.fanotifyNamed(message), { cause: failure });
}

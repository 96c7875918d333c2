// Which back-end serves one path of an entry: its own `backend`, else the daemon's `--backend`;
// `auto` decides by the file system that path lives on (select.ts), so one entry may watch one path
// with fanotify and another with inotify or polling; the reason is logged once per path. One
// instance of each back-end is made on first use and shared by every entry that uses it.
import {
  type BackendChoice,
  describePathSpec,
  type Entry,
  type PathSpec,
  watchBase,
} from '../watchtab/entry.js';
import type { WatchBackend } from '../watch/backend.js';
import type { Logger } from '../log/logger.js';
import { createInotifyBackend } from '../watch/inotify/backend.js';
import { createPollBackend } from '../watch/poll/backend.js';
import { createFanotifyBackend } from '../watch/fanotify/backend.js';
import { ffiLoadError } from '../system/ffi.js';

// chokidar serves only where ffi-rs cannot load: it is not even imported elsewhere.
const chokidarModule = ffiLoadError() === null ? null : await import('../watch/chokidar/backend.js');
import { WatchtabError } from '../errors.js';
import {
  fanotifyWanted,
  fsTypeNear,
  selectBackend,
  withoutFfi,
  type FanotifyAvailability,
} from '../watch/select.js';
import { msgDaemon, msgPoll } from '../log/messages.js';

export interface BackendPoolDeps {
  readonly logger: Logger;
  readonly defaultChoice: BackendChoice;
  readonly defaultPollIntervalMs: number;
}

/** The back-end chosen for an entry, and what to arm with instead if it cannot watch this entry. */
export interface ChosenBackend {
  readonly backend: WatchBackend;
  /** For `auto`'s fanotify: inotify, when the mark is refused (a file system without file ids). */
  readonly fallback: (() => WatchBackend) | null;
}

/** Whether a path spec reaches into more than one folder. */
export function isRecursive(spec: PathSpec): boolean {
  return spec.kind === 'glob' && spec.maxDepth > 1;
}

export class BackendPool {
  private inotify: WatchBackend | null = null;
  private poll: WatchBackend | null = null;
  private chokidar: WatchBackend | null = null;
  /** The group, or why it could not be opened (asked once, remembered). */
  private fanotify: WatchBackend | WatchtabError | null = null;

  constructor(private readonly deps: BackendPoolDeps) {}

  private inotifyBackend(): WatchBackend {
    this.inotify ??= createInotifyBackend({ logger: this.deps.logger });
    return this.inotify;
  }

  /** Where ffi-rs cannot load, this serves whatever the native back-ends would have. */
  private chokidarBackend(): WatchBackend {
    if (chokidarModule === null) throw new Error('the chokidar back-end is for systems without ffi-rs');
    this.chokidar ??= chokidarModule.createChokidarBackend({ logger: this.deps.logger });
    return this.chokidar;
  }

  private pollBackend(): WatchBackend {
    this.poll ??= createPollBackend({ logger: this.deps.logger });
    return this.poll;
  }

  /** fanotify, or why the kernel or the daemon's privileges refuse it (asked once, remembered). */
  private fanotifyBackend(): WatchBackend | Error {
    if (this.fanotify === null) {
      try {
        this.fanotify = createFanotifyBackend({ logger: this.deps.logger });
      } catch (error) {
        if (!(error instanceof WatchtabError)) throw error;
        this.fanotify = error;
      }
    }
    return this.fanotify instanceof WatchtabError
      ? new Error(msgDaemon.fanotifyRefused(this.fanotify.message))
      : this.fanotify;
  }

  /** fanotify's availability for `auto`, opening the group the first time it is asked. */
  private fanotifyAvailability(): FanotifyAvailability {
    this.fanotifyBackend();
    return this.fanotify instanceof WatchtabError ? this.fanotify : 'available';
  }

  backendFor(entry: Entry, spec: PathSpec): ChosenBackend | Error {
    const base = watchBase(spec);
    const choice = entry.backend ?? this.deps.defaultChoice;
    const fs = choice === 'auto' ? fsTypeNear(base) : new Error('not asked');
    const wants = { isRecursive: isRecursive(spec), ignoresOwnChanges: entry.ignoreOwnChanges };
    const asksFanotify = choice === 'auto' && fanotifyWanted(wants) !== null;
    const selection = withoutFfi(
      selectBackend(choice, base, fs, wants, asksFanotify ? this.fanotifyAvailability() : null),
      choice,
      ffiLoadError(),
    );
    const pollIntervalMs = entry.pollIntervalMs ?? this.deps.defaultPollIntervalMs;
    const fields = {
      entry: entry.name,
      path: describePathSpec(spec),
      backend: selection.backend,
      reason: selection.reason,
    };
    switch (selection.backend) {
      case 'inotify':
        this.deps.logger.debug(msgPoll.chosen(), fields);
        return { backend: this.inotifyBackend(), fallback: null };
      case 'poll':
        this.deps.logger.info(msgPoll.chosen(), { ...fields, everySeconds: pollIntervalMs / 1000 });
        return { backend: this.pollBackend(), fallback: null };
      case 'chokidar':
        this.deps.logger.warn(msgPoll.chosen(), fields);
        return { backend: this.chokidarBackend(), fallback: null };
      case 'fanotify': {
        this.deps.logger.info(msgPoll.chosen(), fields);
        const fanotify = this.fanotifyBackend();
        if (fanotify instanceof Error) return fanotify;
        return { backend: fanotify, fallback: choice === 'auto' ? () => this.inotifyBackend() : null };
      }
    }
  }

  /** The watchtab files are always watched natively: they live on a local file system. */
  watchtabBackend(): WatchBackend {
    return ffiLoadError() === null ? this.inotifyBackend() : this.chokidarBackend();
  }

  /** Back-ends in use, by name, for `watchtab status`. */
  names(): string[] {
    const fanotify = this.fanotify instanceof Error ? null : this.fanotify;
    return [this.inotify, this.poll, fanotify, this.chokidar].filter((b) => b !== null).map((b) => b.name);
  }

  async close(): Promise<void> {
    const fanotify = this.fanotify instanceof Error ? null : this.fanotify;
    await Promise.all([this.inotify?.close(), this.poll?.close(), fanotify?.close(), this.chokidar?.close()]);
    this.inotify = null;
    this.poll = null;
    this.chokidar = null;
    this.fanotify = null;
  }
}

// Which back-end serves an entry: the entry's own `backend`, else the daemon's `--backend`. One
// instance of each back-end is made on first use and shared by every entry that uses it.
import type { Entry, BackendChoice } from '../watchtab/entry.js';
import type { WatchBackend } from '../watch/backend.js';
import type { Logger } from '../log/logger.js';
import { createInotifyBackend } from '../watch/inotify/backend.js';
import { msgDaemon } from '../log/messages.js';

export interface BackendPoolDeps {
  readonly logger: Logger;
  readonly defaultChoice: BackendChoice;
}

export class BackendPool {
  private inotify: WatchBackend | null = null;

  constructor(private readonly deps: BackendPoolDeps) {}

  private inotifyBackend(): WatchBackend {
    this.inotify ??= createInotifyBackend({ logger: this.deps.logger });
    return this.inotify;
  }

  backendFor(entry: Entry): WatchBackend | Error {
    const choice = entry.backend ?? this.deps.defaultChoice;
    switch (choice) {
      case 'auto':
      case 'inotify':
        return this.inotifyBackend();
      case 'fanotify':
      case 'poll':
        return new Error(msgDaemon.backendUnavailable(choice));
    }
  }

  /** The watchtab files are always watched natively: they live on a local file system. */
  watchtabBackend(): WatchBackend {
    return this.inotifyBackend();
  }

  /** Back-ends in use, by name, for `watchtab status`. */
  names(): string[] {
    return this.inotify === null ? [] : [this.inotify.name];
  }

  async close(): Promise<void> {
    await this.inotify?.close();
    this.inotify = null;
  }
}

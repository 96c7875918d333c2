// Which back-end serves an entry: its own `backend`, else the daemon's `--backend`; `auto` decides
// by the file system the watch lives on (select.ts) and the reason is logged once per entry. One
// instance of each back-end is made on first use and shared by every entry that uses it.
import { type BackendChoice, type Entry, watchBase } from '../watchtab/entry.js';
import type { WatchBackend } from '../watch/backend.js';
import type { Logger } from '../log/logger.js';
import { createInotifyBackend } from '../watch/inotify/backend.js';
import { createPollBackend } from '../watch/poll/backend.js';
import { createFanotifyBackend } from '../watch/fanotify/backend.js';
import { WatchtabError } from '../errors.js';
import { fsTypeNear, selectBackend } from '../watch/select.js';
import { msgDaemon, msgPoll } from '../log/messages.js';

export interface BackendPoolDeps {
  readonly logger: Logger;
  readonly defaultChoice: BackendChoice;
  readonly defaultPollIntervalMs: number;
}

export class BackendPool {
  private inotify: WatchBackend | null = null;
  private poll: WatchBackend | null = null;
  private fanotify: WatchBackend | Error | null = null;

  constructor(private readonly deps: BackendPoolDeps) {}

  private inotifyBackend(): WatchBackend {
    this.inotify ??= createInotifyBackend({ logger: this.deps.logger });
    return this.inotify;
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
        this.fanotify = new Error(msgDaemon.fanotifyRefused(error.message));
      }
    }
    return this.fanotify;
  }

  backendFor(entry: Entry): WatchBackend | Error {
    const base = watchBase(entry.path);
    const choice = entry.backend ?? this.deps.defaultChoice;
    const selection = selectBackend(
      choice,
      base,
      choice === 'auto' ? fsTypeNear(base) : new Error('not asked'),
    );
    const pollIntervalMs = entry.pollIntervalMs ?? this.deps.defaultPollIntervalMs;
    const fields = { entry: entry.name, backend: selection.backend, reason: selection.reason };
    switch (selection.backend) {
      case 'inotify':
        this.deps.logger.debug(msgPoll.chosen, fields);
        return this.inotifyBackend();
      case 'poll':
        this.deps.logger.info(msgPoll.chosen, { ...fields, everySeconds: pollIntervalMs / 1000 });
        return this.pollBackend();
      case 'fanotify':
        this.deps.logger.debug(msgPoll.chosen, fields);
        return this.fanotifyBackend();
    }
  }

  /** The watchtab files are always watched natively: they live on a local file system. */
  watchtabBackend(): WatchBackend {
    return this.inotifyBackend();
  }

  /** Back-ends in use, by name, for `watchtab status`. */
  names(): string[] {
    const fanotify = this.fanotify instanceof Error ? null : this.fanotify;
    return [this.inotify, this.poll, fanotify].filter((b) => b !== null).map((b) => b.name);
  }

  async close(): Promise<void> {
    const fanotify = this.fanotify instanceof Error ? null : this.fanotify;
    await Promise.all([this.inotify?.close(), this.poll?.close(), fanotify?.close()]);
    this.inotify = null;
    this.poll = null;
    this.fanotify = null;
  }
}

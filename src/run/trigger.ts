// A trigger: what the watcher hands the runner for one event on one path. The runner folds
// triggers into runs; it never learns which back-end produced them.
import type { EventName } from '../watchtab/entry.js';

export interface Trigger {
  /** Absolute path that triggered; for a rename, the new name. */
  readonly path: string;
  readonly event: EventName;
  /** For a rename, the old name. */
  readonly oldPath?: string;
  /** Made by a process of one of the entry's latest runs (known only where the back-end names the process). */
  readonly isOwn?: boolean;
  /** A change made while the daemon was not watching, found at its start (daemon/catch-up/). */
  readonly isCatchUp?: boolean;
}

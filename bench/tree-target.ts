// The watch target the in-process benches arm: a whole tree, recursively, nothing excluded. A
// module of its own so the benches that time their imports load it only where they arm.
import type { EventName } from '../src/watchtab/entry.js';
import type { WatchTarget } from '../src/watch/backend.js';
import { recursiveSpec } from '../src/watch/match.js';

/** Everything under `root` (recursive), for `events`; `pollIntervalMs` for a polled back-end. */
export function treeTarget(root: string, events: readonly EventName[], pollIntervalMs = 0): WatchTarget {
  return { id: 'bench', path: recursiveSpec(root), exclude: [], events, contentOnly: false, pollIntervalMs };
}

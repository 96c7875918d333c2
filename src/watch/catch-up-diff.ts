// What changed between what the daemon last knew of a target's paths and what is there now, in the
// contract's catch-up events (watchtab(5), catch-up): new is `create`, `write`, `close_write`; new
// content is `write`, `close_write`; gone is `delete`; metadata alone is `attrib`. Pure.
import type { EventName } from '../watchtab/entry.js';
import type { PathState } from './path-state.js';

export interface CaughtUpChange {
  readonly path: string;
  readonly events: readonly EventName[];
}

const NEW_FILE: readonly EventName[] = ['create', 'write', 'close_write'];
/** A folder has no content of its own: new is `create` alone. */
const NEW_DIR: readonly EventName[] = ['create'];
const REWRITTEN: readonly EventName[] = ['write', 'close_write'];

/**
 * The content differs: by hash when both sides have one (content-only: a file written again with
 * the same bytes, even replaced by another inode, has not changed), else by inode, size or mtime.
 */
function isNewContent(before: PathState, now: PathState): boolean {
  if (before.hash !== null && now.hash !== null) return before.hash !== now.hash;
  return before.ino !== now.ino || before.size !== now.size || before.mtimeMs !== now.mtimeMs;
}

/** Metadata alone moved (mode, owner, links, times); with hashes on both sides a new mtime is a same-content write. */
function isNewMetadata(before: PathState, now: PathState): boolean {
  if (before.nlink !== now.nlink) return true;
  const hasHashes = before.hash !== null && now.hash !== null;
  if (before.mtimeMs !== now.mtimeMs) return !hasHashes;
  return before.ctimeMs !== now.ctimeMs;
}

function eventsFor(before: PathState | undefined, now: PathState): readonly EventName[] {
  const fresh = now.type === 'dir' ? NEW_DIR : NEW_FILE;
  if (before === undefined) return fresh;
  if (before.type !== now.type) return ['delete', ...fresh];
  // A folder's own times move with every name made or removed in it: its children say what changed.
  if (now.type === 'dir') return [];
  if (isNewContent(before, now)) return REWRITTEN;
  return isNewMetadata(before, now) ? ['attrib'] : [];
}

/**
 * The changes from `known` to `now`, paths gone first (in `known`'s order), then the others in
 * `now`'s order. Every event a path has is listed; the caller keeps those its entry asks for.
 */
export function catchUpChanges(
  known: ReadonlyMap<string, PathState>,
  now: ReadonlyMap<string, PathState>,
): CaughtUpChange[] {
  const changes: CaughtUpChange[] = [];
  for (const path of known.keys()) if (!now.has(path)) changes.push({ path, events: ['delete'] });
  for (const [path, state] of now) {
    const events = eventsFor(known.get(path), state);
    if (events.length > 0) changes.push({ path, events });
  }
  return changes;
}

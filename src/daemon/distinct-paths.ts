// The paths of an entry that need a watch of their own: two names for one file or folder (a
// symbolic link, a bind mount) are found by device and inode when the entry is armed, warned
// about, and watched once. A path that does not exist yet cannot be compared and is kept.
import { stat } from 'node:fs/promises';
import { describePathSpec, watchBase, type Entry, type PathSpec } from '../watchtab/entry.js';
import type { Logger } from '../log/logger.js';
import { msgDaemon } from '../log/messages.js';

/**
 * What makes two specs one watch: the base's device and inode, the kind, and (for a glob) the
 * pattern below the base. null when the base cannot be stat'ed (missing, or not reachable).
 */
async function identity(spec: PathSpec): Promise<string | null> {
  // Asynchronous: a base on a hung network file system must not block the event loop.
  const found = await stat(watchBase(spec), { bigint: true }).catch(() => null);
  if (found === null) return null;
  const inode = `${found.dev}:${found.ino}`;
  if (spec.kind === 'exact') return `exact ${inode}`;
  // No `/` is ever escaped in a pattern: the base's components are the pattern's first ones.
  const baseComponents = spec.base === '/' ? 1 : spec.base.split('/').length;
  return `glob ${inode} ${spec.maxDepth} ${spec.pattern.split('/').slice(baseComponents).join('/')}`;
}

/** The entry's paths without second names for one already listed (each such one logged as a warning). */
export async function distinctPaths(entry: Entry, logger: Logger): Promise<PathSpec[]> {
  if (entry.paths.length === 1) return [...entry.paths];
  const kept: PathSpec[] = [];
  const seen = new Map<string, PathSpec>();
  const identities = await Promise.all(entry.paths.map(identity));
  entry.paths.forEach((spec, index) => {
    const id = identities[index] ?? null;
    const first = id === null ? undefined : seen.get(id);
    if (first !== undefined) {
      const message = msgDaemon.samePathTwice(describePathSpec(spec), describePathSpec(first));
      logger.warn(message, { entry: entry.name });
      return;
    }
    if (id !== null) seen.set(id, spec);
    kept.push(spec);
  });
  return kept;
}

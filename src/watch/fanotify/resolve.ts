// One decoded fanotify event → paths: its folder handles resolved through the cache, the entry's
// name joined on, and the verdict whether any watched root cares. Keeps the cache true to what
// the events say (new folders remembered, removed ones forgotten, renamed ones moved).
import { FAN } from './mask.js';
import type { FanotifyFid, FanotifyRecord, RawFanotifyEvent } from './decode.js';
import { isAncestorOf, isAtOrUnder, joinName, rootsHolding, trimSlash, type HandleCache } from './handles.js';

/** A resolved event, in kernel order, for the back-end. */
export type FanotifyEvent =
  /** The kernel dropped events (FAN_Q_OVERFLOW): rescan every root. */
  | { readonly kind: 'overflow' }
  | {
      readonly kind: 'change';
      /**
       * FAN_* bits. The kernel merges queued events on one object, so one mask may hold several
       * (FAN_CREATE|FAN_MODIFY|FAN_CLOSE_WRITE) without saying in which order they happened.
       */
      readonly mask: number;
      /** The process that made the change (for loop prevention); 0 when unknown. */
      readonly pid: number;
      readonly isDir: boolean;
      /** About the folder `path` itself (reported as "."), not about an entry of its parent. */
      readonly isSelf: boolean;
      /** The entry's absolute path; for a rename, its new path. */
      readonly path: string;
      /** For a rename (FAN_RENAME): the old path. */
      readonly oldPath?: string;
      /** The object's own fid (fsid:handle hex) when the kernel gave it: one key per file. */
      readonly objectKey?: string;
    };

export interface ResolveContext {
  readonly roots: readonly { readonly path: string }[];
  readonly cache: HandleCache;
  /** Fds of the marked roots on the file system `fid` belongs to (empty when none is marked). */
  mountFds(fid: FanotifyFid): readonly number[];
  /**
   * Whether changes carry `objectKey` (only the `moves` mode's pairing reads it; `rename` mode
   * does without the string per event). Default: yes.
   */
  readonly objectKeys?: boolean;
}

/** A place's path (absolute, so never one of the two verdicts), or why there is none: 'lost', 'outside'. */
type Place = string;

/** The mount fd the last place found by `placeOf` was resolved on (no object per event). */
let placeMountFd = -1;

/** The event with its paths, or why it is dropped: `lost` (folder gone first) or `outside` (no root). */
export function resolveEvent(
  event: RawFanotifyEvent,
  ctx: ResolveContext,
): FanotifyEvent | 'lost' | 'outside' {
  if ((event.mask & FAN.Q_OVERFLOW) !== 0) return { kind: 'overflow' };
  const child = findRecord(event.records, 'fid');
  const objectKey =
    child === undefined || ctx.objectKeys === false
      ? undefined
      : `${child.fid.fsid}:${child.fid.handle.toString('hex')}`;
  const isDir = (event.mask & FAN.ONDIR) !== 0;
  if ((event.mask & FAN.RENAME) !== 0) return resolveRename(event, ctx, isDir, objectKey, child?.fid);
  const named = findRecord(event.records, 'dfid_name') ?? findRecord(event.records, 'dfid');
  // An event that names only a file, no folder and name (a link count changed: link, unlink)
  // is left out: which of its names it concerns is unknown, and a create or delete event on
  // that name tells it (as inotify's folder watches, which do not see it either).
  if (named === undefined) return 'outside';
  const path = placeOf(named.fid, 'name' in named ? named.name : '.', ctx);
  if (path === 'lost' || path === 'outside') return path;
  if (isDir && child !== undefined) updateCache(event.mask, path, placeMountFd, child.fid, ctx);
  if (!isRelevant(path, isDir, ctx)) return 'outside';
  const isSelf = !('name' in named) || named.name === '.';
  return change(event.mask, event.pid, isDir, isSelf, path, undefined, objectKey);
}

/**
 * A change, made in one literal per shape (spreading a base into each was the largest cost of
 * resolving); `oldPath` and `objectKey` are present only when known, as consumers expect.
 */
function change(
  mask: number,
  pid: number,
  isDir: boolean,
  isSelf: boolean,
  path: string,
  oldPath: string | undefined,
  objectKey: string | undefined,
): FanotifyEvent {
  if (oldPath === undefined) {
    return objectKey === undefined
      ? { kind: 'change', pid, isDir, isSelf, mask, path }
      : { kind: 'change', pid, isDir, isSelf, mask, path, objectKey };
  }
  return objectKey === undefined
    ? { kind: 'change', pid, isDir, isSelf, mask, path, oldPath }
    : { kind: 'change', pid, isDir, isSelf, mask, path, oldPath, objectKey };
}

function resolveRename(
  event: RawFanotifyEvent,
  ctx: ResolveContext,
  isDir: boolean,
  objectKey: string | undefined,
  child: FanotifyFid | undefined,
): FanotifyEvent | 'lost' | 'outside' {
  const oldRecord = findRecord(event.records, 'old_dfid_name');
  const newRecord = findRecord(event.records, 'new_dfid_name');
  const from = oldRecord === undefined ? 'lost' : placeOf(oldRecord.fid, oldRecord.name, ctx);
  const to = newRecord === undefined ? 'lost' : placeOf(newRecord.fid, newRecord.name, ctx);
  const toMountFd = placeMountFd;
  const hasFrom = from !== 'lost' && from !== 'outside';
  const hasTo = to !== 'lost' && to !== 'outside';
  const onDir = event.mask & FAN.ONDIR;
  if (isDir && hasFrom) ctx.cache.forgetUnder(from);
  if (isDir && hasTo && child !== undefined) ctx.cache.remember(toMountFd, child.fsid, child.handle, to);
  if (!hasFrom && !hasTo) return from === 'lost' || to === 'lost' ? 'lost' : 'outside';
  // One side unknown (its folder is gone, or on no marked mount): a move out of, or into, sight.
  if (!hasTo) {
    if (!isRelevant(from, isDir, ctx)) return 'outside';
    return change(FAN.MOVED_FROM | onDir, event.pid, isDir, false, from, undefined, objectKey);
  }
  if (!hasFrom) {
    if (!isRelevant(to, isDir, ctx)) return 'outside';
    return change(FAN.MOVED_TO | onDir, event.pid, isDir, false, to, undefined, objectKey);
  }
  if (!isRelevant(to, isDir, ctx) && !isRelevant(from, isDir, ctx)) return 'outside';
  return change(event.mask, event.pid, isDir, false, to, from, objectKey);
}

// What a folder event tells about the folder's handle: a new folder's path is known without
// asking the kernel (so what is made inside it resolves even if it is gone by then).
function updateCache(
  mask: number,
  path: string,
  mountFd: number,
  fid: FanotifyFid,
  ctx: ResolveContext,
): void {
  if ((mask & (FAN.CREATE | FAN.MOVED_TO)) !== 0) ctx.cache.remember(mountFd, fid.fsid, fid.handle, path);
  if ((mask & FAN.MOVED_FROM) !== 0) ctx.cache.forgetUnder(path);
  // A removed folder is not forgotten: the kernel merges its creation and removal into one
  // event ahead of what was made inside it, which still needs its path. Handles are never
  // reused (they hold a generation), and the cache's bound drops it in time.
}

// A folder handle plus a name, on each mount of its file system until one lands in a root; the
// mount it was resolved on is left in `placeMountFd`.
function placeOf(dir: FanotifyFid, name: string, ctx: ResolveContext): Place {
  const mountFds = ctx.mountFds(dir);
  if (mountFds.length === 0) return 'outside';
  let first: Place = 'lost';
  let firstMountFd = -1;
  for (const mountFd of mountFds) {
    const folder = ctx.cache.pathOf(mountFd, dir.fsid, dir.handle);
    if (folder === null) continue;
    const path = joinName(folder, name);
    if (mountFds.length === 1 || rootsHolding(path, rootPaths(ctx)).length > 0) {
      placeMountFd = mountFd;
      return path;
    }
    if (first === 'lost') {
      first = path;
      firstMountFd = mountFd;
    }
  }
  placeMountFd = firstMountFd;
  return first;
}

// Inside a root; or a folder above one: removed or moved away, the root goes with it; made or
// moved in, a root that was gone may be back.
function isRelevant(path: string, isFolder: boolean, ctx: ResolveContext): boolean {
  for (const root of ctx.roots) if (isAtOrUnder(path, trimSlash(root.path))) return true;
  return isFolder && ctx.roots.some((root) => isAncestorOf(path, root.path));
}

function rootPaths(ctx: ResolveContext): string[] {
  return ctx.roots.map((r) => r.path);
}

function findRecord<T extends FanotifyRecord['type']>(
  records: readonly FanotifyRecord[],
  type: T,
): Extract<FanotifyRecord, { type: T }> | undefined {
  for (const r of records) if (r.type === type) return r as Extract<FanotifyRecord, { type: T }>;
  return undefined;
}

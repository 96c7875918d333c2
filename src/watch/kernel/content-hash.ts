// The content judgement of content-only targets: a hash of what a file holds, taken so that
// nothing a user puts in a watched folder can block the event loop. Guarantees: the file is opened
// with O_NOFOLLOW|O_NONBLOCK|O_NOCTTY (a symlink fails, a FIFO or device does not wait), the open
// descriptor is what is judged (fstat: a regular file, the inode the event was about, at most
// HASH_MAX_BYTES, unchanged while read), every open and read runs on the thread pool,
// never more than HASH_SLOTS at once, and a judgement gives up after HASH_DEADLINE_MS. Where there
// is no hash (null), the change counts: a hash can only ever take a change away, never invent one.
import { constants, type Stats } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { toFsPath } from '../../system/path-bytes.js';
import type { PathState } from '../path-state.js';

/**
 * Files larger than this are not hashed: their change counts on size and times alone (man
 * watchtab(5), content-only). Off the event loop a hash blocks nothing, but it holds its path's
 * later events (path-order.ts) and a thread-pool slot: this keeps both short.
 */
export const HASH_MAX_BYTES = 8 << 20;
/** Hashes read at once: the thread pool (4 threads by default) keeps room for the rest. */
const HASH_SLOTS = 2;
/** A judgement not done by then (a stalled network or FUSE read) counts as changed. */
const HASH_DEADLINE_MS = 10_000;
/**
 * More event hashes waiting than this (a flood of writes) count as changed at once: memory stays
 * bounded. A scan's hashes always wait their turn: there is one per file found, whose state is
 * kept anyway, and dropping them would leave those files without a hash to judge by.
 */
const MAX_WAITING = 1024;
const CHUNK_BYTES = 1 << 20;
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK | constants.O_NOCTTY;

let busySlots = 0;
const waitingForSlot: (() => void)[] = [];

/**
 * SHA-1 of the regular file at `path` if it is still inode `ino`, at most the size bound, and
 * steady while read; otherwise null. Never rejects. SHA-1 is the fastest digest here (SHA-NI); it
 * tells contents apart, it guards nothing.
 */
export function hashContent(path: string, ino: number, isScan = false): Promise<string | null> {
  if (!isScan && waitingForSlot.length >= MAX_WAITING) return Promise.resolve(null);
  let timer: NodeJS.Timeout | undefined;
  let isGivenUp = false;
  const deadline = new Promise<null>((resolve) => {
    timer = setTimeout(() => {
      isGivenUp = true;
      resolve(null);
    }, HASH_DEADLINE_MS).unref();
  });
  // A hash given up while it waited for a slot is not read when its turn comes: nobody waits for
  // it, and reading it would only delay the hashes queued behind (a scan of 100,000 files).
  const work = inSlot(() => (isGivenUp ? Promise.resolve(null) : hashOpened(path, ino))).catch(() => null);
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

/**
 * `cur` with the hash a content-only target keeps: `prev`'s when it is the same file untouched by
 * size and time (no read at all), else a new one (a promise). Not a file: no hash. For scans.
 */
export function withContentHash(
  path: string,
  cur: PathState,
  prev: PathState | undefined,
): PathState | Promise<PathState> {
  if (cur.type !== 'file') return cur;
  if (prev !== undefined && isUntouched(prev, cur)) return { ...cur, hash: prev.hash };
  return hashContent(path, cur.ino, true).then((hash) => ({ ...cur, hash }));
}

/** Whether `prev` can lend its hash to `cur`: the same file, untouched by size and time. */
export function isUntouched(prev: PathState, cur: PathState): boolean {
  return prev.ino === cur.ino && prev.size === cur.size && prev.mtimeMs === cur.mtimeMs;
}

async function inSlot<T>(work: () => Promise<T>): Promise<T> {
  if (busySlots >= HASH_SLOTS) await new Promise<void>((resolve) => waitingForSlot.push(resolve));
  else busySlots += 1;
  try {
    return await work();
  } finally {
    const next = waitingForSlot.shift();
    if (next !== undefined)
      next(); // the slot passes on as it is
    else busySlots -= 1;
  }
}

async function hashOpened(path: string, ino: number): Promise<string | null> {
  let handle: FileHandle;
  try {
    handle = await open(toFsPath(path), OPEN_FLAGS); // ELOOP for a symlink swapped in: no hash
  } catch {
    return null;
  }
  try {
    const before = await handle.stat();
    if (!before.isFile() || before.ino !== ino || before.size > HASH_MAX_BYTES) return null;
    const hash = createHash('sha1');
    const chunk = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, Math.max(before.size, 1)));
    let position = 0;
    // Only the size fstat gave is read: a file that keeps growing cannot keep the read going.
    while (position < before.size) {
      const length = Math.min(chunk.length, before.size - position);
      const { bytesRead } = await handle.read(chunk, 0, length, position);
      if (bytesRead <= 0) break;
      hash.update(chunk.subarray(0, bytesRead)); // 1 MiB: well under a millisecond of SHA-1
      position += bytesRead;
    }
    return isSteady(before, await handle.stat()) ? hash.digest('hex') : null;
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/** A file written while it was read has no one content to judge: no hash, so the change counts. */
function isSteady(before: Stats, after: Stats): boolean {
  return before.size === after.size && before.mtimeMs === after.mtimeMs && before.ctimeMs === after.ctimeMs;
}

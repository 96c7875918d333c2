// Reading and installing the watchtab `watchtab edit` works on, through descriptors only: the
// original is opened without following links and described by fstat; the new file is created
// exclusively beside it (O_EXCL|O_NOFOLLOW), given its owner and mode with fchown/fchmod on that
// descriptor, synced, and renamed over the original. No owner or mode is ever set by name.
import { randomBytes } from 'node:crypto';
import { constants, type Stats } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { WatchtabError } from '../../errors.js';
import { msgEdit } from '../../log/messages.js';

const { O_RDONLY, O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW, O_NONBLOCK, O_DIRECTORY } = constants;

export interface Original {
  readonly content: Buffer;
  /** Owner and mode as fstat saw them; null for a watchtab that does not exist yet. */
  readonly stats: Pick<Stats, 'uid' | 'gid' | 'mode'> | null;
}

/** Reads `file` (a real path) by descriptor; a missing file is an empty original. */
export async function readOriginal(file: string): Promise<Original> {
  // O_NONBLOCK: a FIFO in its place must not hang the open; it is refused just after.
  const handle = await open(file, O_RDONLY | O_NOFOLLOW | O_NONBLOCK).catch(
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return null;
      if (error.code === 'ELOOP') throw new WatchtabError('E_EDIT_REFUSED', msgEdit.notRegularFile(file));
      throw error;
    },
  );
  if (handle === null) return { content: Buffer.alloc(0), stats: null };
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw new WatchtabError('E_EDIT_REFUSED', msgEdit.notRegularFile(file));
    return { content: await handle.readFile(), stats };
  } finally {
    await handle.close();
  }
}

export interface Placement {
  readonly uid: number | null;
  readonly gid: number | null;
  readonly mode: number;
  /** What was changed so that watchtabd accepts the file, one sentence each. */
  readonly repairs: readonly string[];
}

/**
 * The owner and mode the new file gets: the original's, without group or other write (watchtabd
 * refuses such a file) and, when the caller is root, owned by root (the same rule).
 */
export function placementFor(file: string, original: Original['stats'], callerUid: number): Placement {
  if (original === null) return { uid: null, gid: null, mode: 0o644, repairs: [] };
  const repairs: string[] = [];
  const mode = original.mode & 0o7777 & ~0o022;
  if (mode !== (original.mode & 0o7777)) repairs.push(msgEdit.repairedMode(file, original.mode, mode));
  let uid = original.uid;
  if (callerUid === 0 && uid !== 0) {
    repairs.push(msgEdit.repairedOwner(file, uid));
    uid = 0;
  }
  return { uid, gid: original.gid, mode, repairs };
}

/** Writes `content` beside `target` as placed, syncs it and its folder, and renames it over `target`. */
export async function installAtomically(
  target: string,
  content: Buffer,
  placement: Placement,
): Promise<void> {
  const folder = dirname(target);
  const temp = join(folder, `.${basename(target)}.watchtab-edit-${randomBytes(6).toString('hex')}`);
  const handle = await open(temp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600);
  try {
    await handle.writeFile(content);
    // fchown before fchmod: a change of owner clears set-id bits the mode may then set again.
    if (placement.uid !== null && placement.gid !== null) await handle.chown(placement.uid, placement.gid);
    await handle.chmod(placement.mode);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await handle.close();
  try {
    await rename(temp, target);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  const dir = await open(folder, O_RDONLY | O_DIRECTORY);
  await dir.sync().finally(() => dir.close());
}

// Whether `watchtab edit` may install into a folder: no one but root and the caller may be able to
// swap names in it or in any folder above it (each owned by root or the caller, and writable by
// group or others only when sticky), so installing by name cannot be turned against the caller.
import { lstat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { msgEdit } from '../../log/messages.js';

const STICKY = 0o1000;
const GROUP_OR_OTHER_WRITE = 0o022;

/** Why `folder` (a real path, no symbolic links) is unsafe to install into; null when safe. */
export async function unsafeFolderReason(folder: string, callerUid: number): Promise<string | null> {
  for (let current = folder; ; current = dirname(current)) {
    const info = await lstat(current);
    if (info.uid !== 0 && info.uid !== callerUid) return msgEdit.unsafeFolderOwner(current, info.uid);
    if ((info.mode & GROUP_OR_OTHER_WRITE) !== 0 && (info.mode & STICKY) === 0)
      return msgEdit.unsafeFolderMode(current, info.mode);
    if (dirname(current) === current) return null;
  }
}

// Whether a path is a folder now, following symbolic links, asked synchronously: the watcher and
// the launcher both ask it on the way from an event to a command, where a thread-pool round trip
// costs more than the stat. Names keep their bytes (path-bytes.ts).
import { statSync } from 'node:fs';
import { toFsPath } from './path-bytes.js';

/** Whether `path` is a folder now (following links); false for ENOENT, ENOTDIR and EACCES alike. */
export function isFolder(path: string): boolean {
  try {
    return statSync(toFsPath(path), { throwIfNoEntry: false })?.isDirectory() === true;
  } catch {
    return false;
  }
}

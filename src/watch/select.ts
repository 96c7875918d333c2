// Which back-end an entry gets, and why (the daemon logs the reason). `auto` watches natively,
// except on file systems where the kernel cannot see every change — network, cluster and
// user-space ones (NFS, SMB, FUSE, 9p, Ceph, ...: the table is in fs-type.ts) — which it polls.
import type { BackendChoice } from '../watchtab/entry.js';
import type { BackendName } from './backend.js';
import { msgPoll } from '../log/messages/watch-poll.js';
import { fsTypeOf, isRemoteOrUserSpace, type FsTypeInfo } from './fs-type.js';
import { parentOf } from './match.js';

export interface Selection {
  readonly backend: BackendName;
  readonly reason: string;
}

/** What an entry would gain from fanotify, which `auto` prefers for it when it is available. */
export interface FanotifyWants {
  /** The watch covers more than one folder (inotify needs a watch on each). */
  readonly isRecursive: boolean;
  /** Loop prevention needs the process behind each change, which only fanotify reports. */
  readonly ignoresOwnChanges: boolean;
}

/** The back-end `auto` takes for an entry that wants it (`fanotifyWanted`), when it can be made. */
export const AUTO_WANTED: BackendName = 'fanotify';

export const WANTS_NOTHING: FanotifyWants = { isRecursive: false, ignoresOwnChanges: false };

/** Whether fanotify can be used (the group opened), or why not; null: not asked. */
export type FanotifyAvailability = 'available' | Error | null;

/** Why an entry wants fanotify, or null when inotify serves it as well. */
export function fanotifyWanted(wants: FanotifyWants): string | null {
  if (wants.ignoresOwnChanges) return msgPoll.whyOwnChanges();
  return wants.isRecursive ? msgPoll.whyRecursive() : null;
}

/**
 * The back-end for `choice` given where the watch lives; pure, so every case is unit-tested.
 * `auto` polls remote and user-space file systems; on a local one it takes fanotify when the entry
 * wants it (see `fanotifyWanted`) and it is available, inotify otherwise.
 */
export function selectBackend(
  choice: BackendChoice,
  path: string,
  fs: FsTypeInfo | Error,
  wants: FanotifyWants = WANTS_NOTHING,
  fanotify: FanotifyAvailability = null,
): Selection {
  switch (choice) {
    case 'poll':
      return { backend: 'poll', reason: msgPoll.forcedPoll() };
    case 'inotify':
      return { backend: 'inotify', reason: msgPoll.forcedInotify() };
    case 'fanotify':
      return { backend: 'fanotify', reason: msgPoll.forcedFanotify() };
    case 'auto': {
      if (fs instanceof Error) return { backend: 'inotify', reason: msgPoll.unknownFs(path, fs.message) };
      if (isRemoteOrUserSpace(fs.magic)) return { backend: 'poll', reason: msgPoll.autoPolls(path, fs.name) };
      const why = fanotifyWanted(wants);
      if (why === null || fanotify === null) {
        return { backend: 'inotify', reason: msgPoll.localInotify(path, fs.name) };
      }
      return fanotify === 'available'
        ? { backend: 'fanotify', reason: msgPoll.autoFanotify(path, fs.name, why) }
        : { backend: 'inotify', reason: msgPoll.fanotifyUnavailable(path, fs.name, why, fanotify.message) };
    }
  }
}

/**
 * Where ffi-rs could not be loaded (`noFfi`), chokidar stands in for inotify, and for the fanotify
 * `auto` would have taken; polling stays (chokidar cannot see remote changes either), and a
 * fanotify asked for by name stays, to be refused with its reason.
 */
export function withoutFfi(selection: Selection, choice: BackendChoice, noFfi: Error | null): Selection {
  if (noFfi === null) return selection;
  const isStandIn =
    selection.backend === 'inotify' || (selection.backend === 'fanotify' && choice === 'auto');
  return isStandIn ? { backend: 'chokidar', reason: msgPoll.noFfi(noFfi.message) } : selection;
}

/**
 * What serves instead when the selected back-end refuses to arm (it rejected `arm` with `reason`),
 * or null when nothing does and the arm is retried. `auto`'s fanotify falls back to inotify: its
 * mark can be refused by file systems without file ids (sysfs, some FUSE ones).
 */
export function fellBack(selection: Selection, choice: BackendChoice, reason: string): Selection | null {
  if (choice !== 'auto' || selection.backend !== 'fanotify') return null;
  return { backend: 'inotify', reason: msgPoll.fanotifyFellBack(reason) };
}

/** The watchtab files live on a local file system: watched natively, by chokidar without ffi-rs. */
export function watchtabSelection(noFfi: Error | null): Selection {
  return withoutFfi({ backend: 'inotify', reason: msgPoll.forcedInotify() }, 'auto', noFfi);
}

/** The file-system type of `path`, or of its nearest existing ancestor when it does not exist yet. */
export function fsTypeNear(path: string): FsTypeInfo | Error {
  for (let p = path; ; p = parentOf(p)) {
    try {
      return fsTypeOf(p);
    } catch (error) {
      if (p === '/') return error instanceof Error ? error : new Error(String(error));
    }
  }
}

// Which back-end an entry gets, and why (the daemon logs the reason). `auto` watches natively,
// except on file systems where the kernel cannot see every change — network, cluster and
// user-space ones (NFS, SMB, FUSE, 9p, Ceph, ...: the table is in fs-type.ts) — which it polls.
import type { BackendChoice } from '../watchtab/entry.js';
import { msgPoll } from '../log/messages/watch-poll.js';
import { fsTypeOf, isRemoteOrUserSpace, type FsTypeInfo } from './fs-type.js';
import { parentOf } from './match.js';

export interface Selection {
  readonly backend: 'inotify' | 'fanotify' | 'poll';
  readonly reason: string;
}

/** The back-end for `choice` given where the watch lives; pure, so every case is unit-tested. */
export function selectBackend(choice: BackendChoice, path: string, fs: FsTypeInfo | Error): Selection {
  switch (choice) {
    case 'poll':
      return { backend: 'poll', reason: msgPoll.forcedPoll };
    case 'inotify':
      return { backend: 'inotify', reason: msgPoll.forcedInotify };
    case 'fanotify':
      return { backend: 'fanotify', reason: "fanotify, as --backend or the entry's backend asks" };
    case 'auto':
      if (fs instanceof Error) return { backend: 'inotify', reason: msgPoll.unknownFs(path, fs.message) };
      return isRemoteOrUserSpace(fs.magic)
        ? { backend: 'poll', reason: msgPoll.autoPolls(path, fs.name) }
        : { backend: 'inotify', reason: msgPoll.localInotify(path, fs.name) };
  }
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

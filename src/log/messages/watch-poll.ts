// Sentences for the polling back-end and for the choice of a back-end per entry.

export const msgPoll = {
  changesFound: (): string => 'poll: changes found',
  /** chokidar failed at a path (its error, or a look at what it reported). */
  chokidarFailed: (detail: string): string => `chokidar: ${detail}`,
  chosen: (): string => 'back-end chosen',
  /** Why `auto` polls: shown once per entry at arm, with the interval. */
  autoPolls: (path: string, fsName: string) =>
    `${path} is on ${fsName}, where the kernel does not report changes made by other hosts or by the file system's own process: polling`,
  forcedPoll: (): string => "polling, as --backend or the entry's backend asks",
  forcedInotify: (): string => "inotify, as --backend or the entry's backend asks",
  localInotify: (path: string, fsName: string) => `${path} is on ${fsName}, a local file system: inotify`,
  unknownFs: (path: string, reason: string) => `file-system type of ${path} unknown (${reason}): inotify`,
  forcedFanotify: (): string => "fanotify, as --backend or the entry's backend asks",
  /** Why `auto` takes fanotify: what the entry needs that inotify does not give. */
  autoFanotify: (path: string, fsName: string, why: string) =>
    `${path} is on ${fsName}, a local file system, and ${why}: fanotify`,
  whyRecursive: (): string =>
    'the watch is recursive (one fanotify mark covers the whole tree, where inotify needs a watch per folder)',
  whyOwnChanges: (): string =>
    'the entry has ignore-own-changes (fanotify names the process behind each change)',
  fanotifyUnavailable: (path: string, fsName: string, why: string, reason: string) =>
    `${path} is on ${fsName}, a local file system, and ${why}, but fanotify is not available (${reason}): inotify`,
  noFfi: (reason: string) =>
    `${reason}: chokidar, on Node's own file-system notifications (a move is reported as delete and create)`,
  fanotifyFellBack: (reason: string) => `fanotify could not watch this entry (${reason}): inotify instead`,
  /** The entry names fanotify, whose arm was refused: no fall-back, the arm is retried. */
  fanotifyNamed: (reason: string) =>
    `${reason}; the entry names backend fanotify, so it does not fall back to inotify (name auto or inotify to watch it now)`,
} as const;

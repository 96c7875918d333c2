// Sentences for the kernel edge of the fanotify back-end: errno names turned into what a user can
// act on. What follows a refusal (auto's fall-back to inotify, or a retry) is the pool's to say.

/** Why fanotify_init failed, by errno name. */
const INIT_REFUSED: Readonly<Record<string, string>> = {
  EPERM: 'it needs CAP_SYS_ADMIN (run watchtabd as root) (EPERM)',
  EINVAL:
    'this kernel does not report file handles and names (FAN_REPORT_DFID_NAME needs Linux 5.9) (EINVAL)',
  ENOSYS: 'this kernel was built without fanotify (ENOSYS)',
  EMFILE:
    'the limit of fanotify groups per user (fs.fanotify.max_user_groups) or of open files (ulimit -n) was reached (EMFILE)',
  ENOMEM: 'the kernel is out of memory (ENOMEM)',
};

/** Why fanotify_mark(FAN_MARK_FILESYSTEM) failed, by errno name. */
const MARK_REFUSED: Readonly<Record<string, string>> = {
  EPERM: 'it needs CAP_SYS_ADMIN (EPERM)',
  ENOENT: 'it does not exist (ENOENT)',
  ENOTDIR: 'a component of the path is not a folder (ENOTDIR)',
  EACCES: 'permission denied (EACCES)',
  ...Object.fromEntries(
    ['EINVAL', 'EOPNOTSUPP', 'ENOTSUP'].map((errno) => [
      errno,
      `this kernel or this file system does not support file-system marks with file handles (${errno})`,
    ]),
  ),
  ENODEV: 'the file system has no file handles (ENODEV; some FUSE, overlay or pseudo file systems)',
  EXDEV: 'it is a sub-volume or an idmapped mount whose file handles cannot be reported (EXDEV)',
  ENOSPC: 'the limit of fanotify marks was reached (fs.fanotify.max_user_marks) (ENOSPC)',
  ENOSYS: 'this kernel was built without fanotify (ENOSYS)',
};

export const msgFanotify = {
  /** Debug trace of one event as decoded, with fields mask (as names), path, oldPath, pid. */
  event: (): string => 'fanotify event',
  /** fanotify_init failed. */
  initFailed: (errno: string): string =>
    `cannot open a fanotify group: ${INIT_REFUSED[errno] ?? `fanotify_init failed with ${errno}`}`,
  /** fanotify_mark(FAN_MARK_FILESYSTEM) on `path` failed. */
  markFailed: (path: string, errno: string): string =>
    `cannot watch the file system of ${path} with fanotify: ${MARK_REFUSED[errno] ?? `fanotify_mark failed with ${errno}`}`,
  /** Opening the watch root to resolve file handles on its mount failed. */
  mountOpenFailed: (path: string, errno: string): string => {
    if (errno === 'EMFILE' || errno === 'ENFILE') {
      return `cannot open ${path} to resolve fanotify file handles: too many open files (${errno}): raise ulimit -n`;
    }
    return `cannot open ${path} to resolve fanotify file handles: open failed with ${errno}`;
  },
  /** The decoder met bytes that are not a whole event or info record. */
  truncated: (what: string, offset: number, length: number): string =>
    `fanotify read: truncated or malformed ${what} at byte ${offset} of ${length}`,
  /** The kernel dropped events: the back-end rescanned every entry. */
  overflowRescanned: (entries: number, changes: number): string =>
    `fanotify event queue overflowed (events were dropped by the kernel): rescanned ${entries} ` +
    `watched entr${entries === 1 ? 'y' : 'ies'} and found ${changes} change${changes === 1 ? '' : 's'}, reported as events; ` +
    `the queue holds fs.fanotify.max_queued_events events`,
  /** Debug: how the fanotify back-end armed a target. */
  armed: (): string => 'watch armed with one fanotify file-system mark',
} as const;

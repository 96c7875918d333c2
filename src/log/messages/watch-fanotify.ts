// Sentences for the kernel edge of the fanotify back-end: errno names turned into what a user can
// act on, and why `auto` falls back to inotify.

export const msgFanotify = {
  /** Debug trace of one event as decoded, with fields mask (as names), path, oldPath, pid. */
  event: (): string => 'fanotify event',
  /** fanotify_init failed. */
  initFailed: (errno: string): string => {
    switch (errno) {
      case 'EPERM':
        return 'cannot open a fanotify group: it needs CAP_SYS_ADMIN (run watchtabd as root) (EPERM); falls back to inotify';
      case 'EINVAL':
        return 'cannot open a fanotify group: this kernel does not report file handles and names (FAN_REPORT_DFID_NAME needs Linux 5.9) (EINVAL); falls back to inotify';
      case 'ENOSYS':
        return 'cannot open a fanotify group: this kernel was built without fanotify (ENOSYS); falls back to inotify';
      case 'EMFILE':
        return 'cannot open a fanotify group: the limit of fanotify groups per user (fs.fanotify.max_user_groups) or of open files (ulimit -n) was reached (EMFILE)';
      case 'ENOMEM':
        return 'cannot open a fanotify group: the kernel is out of memory (ENOMEM)';
      default:
        return `cannot open a fanotify group: fanotify_init failed with ${errno}`;
    }
  },
  /** fanotify_mark(FAN_MARK_FILESYSTEM) on `path` failed. */
  markFailed: (path: string, errno: string): string => {
    switch (errno) {
      case 'EPERM':
        return `cannot watch the file system of ${path} with fanotify: it needs CAP_SYS_ADMIN (EPERM); falls back to inotify`;
      case 'ENOENT':
        return `cannot watch the file system of ${path} with fanotify: it does not exist (ENOENT)`;
      case 'ENOTDIR':
        return `cannot watch the file system of ${path} with fanotify: a component of the path is not a folder (ENOTDIR)`;
      case 'EACCES':
        return `cannot watch the file system of ${path} with fanotify: permission denied (EACCES)`;
      case 'EINVAL':
      case 'EOPNOTSUPP':
      case 'ENOTSUP':
        return `cannot watch the file system of ${path} with fanotify: this kernel or this file system does not support file-system marks with file handles (${errno}); falls back to inotify`;
      case 'ENODEV':
        return `cannot watch the file system of ${path} with fanotify: the file system has no file handles (ENODEV; some FUSE, overlay or pseudo file systems); falls back to inotify`;
      case 'EXDEV':
        return `cannot watch the file system of ${path} with fanotify: it is a sub-volume or an idmapped mount whose file handles cannot be reported (EXDEV); falls back to inotify`;
      case 'ENOSPC':
        return `cannot watch the file system of ${path} with fanotify: the limit of fanotify marks was reached (fs.fanotify.max_user_marks) (ENOSPC)`;
      case 'ENOSYS':
        return `cannot watch ${path} with fanotify: this kernel was built without fanotify (ENOSYS); falls back to inotify`;
      default:
        return `cannot watch the file system of ${path} with fanotify: fanotify_mark failed with ${errno}`;
    }
  },
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

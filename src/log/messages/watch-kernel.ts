// Sentences for the kernel edge of the watch back-ends (inotify's calls, and what the core and
// fanotify's folder book share with it): errno names turned into what a user can act on
// (watchexec's ENOSPC → "too many watches"; entr's limits hint).

/** A kernel limit as the sysctl that sets it: fs.inotify.max_user_watches, or a user namespace's own. */
export interface SysctlLimit {
  readonly name: string;
  readonly value: number;
}

export const msgKernel = {
  /** Debug trace of one raw event, with fields fd, wd, mask (as names), cookie, name. */
  inotifyEvent: (): string => 'inotify event',
  /** inotify_add_watch failed; `limit` is the watch limit in force when it could be read. */
  watchAddFailed: (path: string, errno: string, limit: SysctlLimit | null): string => {
    switch (errno) {
      case 'ENOSPC':
        return (
          `cannot watch ${path}: inotify watch limit reached (${showLimit(limit, 'fs.inotify.max_user_watches')}): ` +
          `raise it with sysctl, e.g. sysctl ${limit?.name ?? 'fs.inotify.max_user_watches'}=${suggestLimit(limit)}`
        );
      case 'ENOENT':
        return `cannot watch ${path}: it does not exist (ENOENT)`;
      case 'EACCES':
        return `cannot watch ${path}: permission denied (EACCES): the daemon's user cannot read it or search a folder above it`;
      case 'ENOTDIR':
        return `cannot watch ${path}: a component of the path is not a folder (ENOTDIR)`;
      case 'ENAMETOOLONG':
        return `cannot watch ${path}: the path is too long (ENAMETOOLONG)`;
      case 'ELOOP':
        return `cannot watch ${path}: too many symbolic links (ELOOP)`;
      case 'EEXIST':
        return `cannot watch ${path}: it is already watched by this inotify instance (EEXIST)`;
      case 'ENOMEM':
        return `cannot watch ${path}: the kernel is out of memory (ENOMEM)`;
      default:
        return `cannot watch ${path}: inotify_add_watch failed with ${errno}`;
    }
  },
  /** inotify_init1 failed; `limit` is the instance limit in force when it could be read. */
  inotifyInitFailed: (errno: string, limit: SysctlLimit | null): string => {
    switch (errno) {
      case 'EMFILE':
        return (
          `cannot open an inotify instance: the limit of inotify instances per user was reached ` +
          `(${showLimit(limit, 'fs.inotify.max_user_instances')}): raise it with sysctl, ` +
          `or the process ran out of file descriptors (ulimit -n) (EMFILE)`
        );
      case 'ENFILE':
        return 'cannot open an inotify instance: the system-wide limit of open files was reached (ENFILE)';
      case 'ENOMEM':
        return 'cannot open an inotify instance: the kernel is out of memory (ENOMEM)';
      default:
        return `cannot open an inotify instance: inotify_init1 failed with ${errno}`;
    }
  },
  /** statfs failed, so the file-system type of `path` is unknown. */
  statfsFailed: (path: string, errno: string): string =>
    `cannot read the file-system type of ${path}: statfs failed with ${errno}`,
  /** The decoder met bytes that are not a whole `struct inotify_event` (a bug, or a kernel we do not know). */
  truncatedEvent: (offset: number, length: number, needed: number): string =>
    `inotify read: truncated event at byte ${offset} of ${length}: it needs ${needed} bytes`,
  /** A path handed to the kernel as a C string cannot hold a NUL byte. */
  pathHasNul: (path: string): string =>
    `cannot watch ${JSON.stringify(path)}: a path cannot contain a NUL byte`,
} as const;

function showLimit(limit: SysctlLimit | null, fallbackName: string): string {
  return limit === null ? `${fallbackName} = unknown` : `${limit.name} = ${limit.value}`;
}

/** A doubled value of the current limit, at least 524288 (what many distributions now ship). */
function suggestLimit(limit: SysctlLimit | null): number {
  return Math.max(524288, (limit?.value ?? 0) * 2);
}

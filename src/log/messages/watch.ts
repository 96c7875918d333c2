// Sentences for the watch concern shared by every back-end: arming, retries, left-out folders,
// overflow, the watch budget.

export const msgWatch = {
  /** A target could not be armed; logged once, then retried with back-off. */
  armFailed: (detail: string, retryMs: number): string =>
    `${detail}; retrying in ${formatDelay(retryMs)} (doubling up to 5 min), other entries are not affected`,
  /** A target armed after failing. */
  armedAfterRetry: (): string => 'watch armed after retrying',
  /** The kernel's event queue overflowed and a rescan made up for it. */
  overflowRescanned: (changes: number, targets: number, watches: number): string =>
    `inotify event queue overflowed (events were dropped by the kernel): rescanned ${targets} ` +
    `watched entr${targets === 1 ? 'y' : 'ies'} (${watches} watches) and found ${changes} change${changes === 1 ? '' : 's'}, reported as events; ` +
    `raise fs.inotify.max_queued_events if this repeats`,
  /** Watches passed half of the per-user limit. */
  watchBudget: (used: number, limitName: string, limit: number, holders: string): string =>
    `inotify watches in use (${used}) passed half of ${limitName} = ${limit}; the limit is per user, ` +
    `so other programs may run out: ${holders}`,
  /** Debug: how a back-end armed a target. */
  targetArmed: (): string => 'watch armed',
  /** Debug: a target waits for its path to appear. */
  targetWaiting: (): string => 'watch waiting for its path to appear',
  /** A folder a target cannot watch or read: it is left out, the rest of the target goes on. */
  folderLeftOut: (path: string, errno: string, detail: string | null, isRetried: boolean): string => {
    const tail = isRetried ? 'retried with back-off (doubling up to 5 min)' : 'changes there are not seen';
    return `${detail ?? `${path} ${whyLeftOut(errno)}`}; ${tail} (said once per entry)`;
  },
  /** A target's work threw something that is not a system error: a bug, logged with its stack. */
  targetBug: (detail: string): string =>
    `internal error while watching (a bug, please report it with this log): ${detail}; this entry is re-armed, the others are not affected`,
} as const;

function formatDelay(ms: number): string {
  return ms >= 60_000 ? `${Math.round(ms / 60_000)} min` : `${Math.round(ms / 1000)} s`;
}

function whyLeftOut(errno: string): string {
  switch (errno) {
    case 'ELOOP':
      return 'is a symbolic link now; treated as absent, what it points to is never read';
    case 'ENAMETOOLONG':
      return 'is longer than the kernel accepts (PATH_MAX, 4096 bytes)';
    case 'ENOSPC':
      return 'cannot be watched: inotify watch limit reached; raise fs.inotify.max_user_watches';
    default:
      return `cannot be watched or read (${errno})`;
  }
}

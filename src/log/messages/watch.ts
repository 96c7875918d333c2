// Sentences for the watch concern: arming, retries, overflow, the watch budget.

/** A target could not be armed; logged once, then retried with back-off. */
export function armFailed(detail: string, retryMs: number): string {
  return `${detail}; retrying in ${formatDelay(retryMs)} (doubling up to 5 min), other entries are not affected`;
}

/** A target armed after failing. */
export const ARMED_AFTER_RETRY = 'watch armed after retrying';

/** A sub-folder could not be watched: changes below it are not seen. */
export function subfolderSkipped(detail: string): string {
  return `${detail}; changes below it are not seen (said once per entry)`;
}

/** The kernel's event queue overflowed and a rescan made up for it. */
export function overflowRescanned(changes: number, targets: number, watches: number): string {
  return (
    `inotify event queue overflowed (events were dropped by the kernel): rescanned ${targets} ` +
    `watched entr${targets === 1 ? 'y' : 'ies'} (${watches} watches) and found ${changes} change${changes === 1 ? '' : 's'}, reported as events; ` +
    `raise fs.inotify.max_queued_events if this repeats`
  );
}

/** Watches passed half of the per-user limit. */
export function watchBudget(used: number, limitName: string, limit: number, holders: string): string {
  return (
    `inotify watches in use (${used}) passed half of ${limitName} = ${limit}; the limit is per user, ` +
    `so other programs may run out: ${holders}`
  );
}

/** Debug: how a back-end armed a target. */
export const TARGET_ARMED = 'watch armed';
/** Debug: a target waits for its path to appear. */
export const TARGET_WAITING = 'watch waiting for its path to appear';

function formatDelay(ms: number): string {
  return ms >= 60_000 ? `${Math.round(ms / 60_000)} min` : `${Math.round(ms / 1000)} s`;
}

// Sentences for watchtabd itself: start-up, readiness, reload, stop, the status socket.

export const msgDaemon = {
  starting: (): string => 'watchtabd starting',
  ready: (): string => 'ready',
  reloaded: (): string => 'reloaded',
  reloadUnchanged: (): string => 'reloaded: no change',
  /** A reload threw: a bug, logged with its stack; the previous entries stay in force. */
  reloadFailed: (): string => 'reload failed',
  stopping: (): string =>
    'stopping: no new runs; running commands get SIGTERM, then SIGKILL after the grace period',
  stopped: (): string => 'stopped',
  stopNow: (): string => 'second signal: stopping at once (SIGKILL to running commands)',
  mainMissing: (file: string) =>
    `watchtab ${file} does not exist: running with no entries from it; it is loaded when it appears`,
  fileBroken: (file: string, count: number) =>
    `${file}: ${count} problem${count === 1 ? '' : 's'}; the file is left out`,
  fileBrokenKept: (file: string, count: number) =>
    `${file}: ${count} problem${count === 1 ? '' : 's'}; its previous entries stay in force`,
  fileRefused: (file: string, reason: string) => `${file}: refused: ${reason}`,
  nameClash: (name: string, file: string, keptFrom: string) =>
    `${file}: entry "${name}" is already defined in ${keptFrom}; the one in ${file} is left out`,
  cannotRun: (reason: string) => `cannot run: ${reason}`,
  noUsableEntries: (): string => 'the watchtab has problems and not one entry is usable: exiting',
  armed: (): string => 'entry armed',
  armFailed: (): string => 'entry could not be armed',
  samePathTwice: (path: string, other: string): string =>
    `${path} is another name for ${other}, which this entry already watches: it is watched once`,
  spawnerFailed: (reason: string) => `execa could not be loaded (${reason}); each run will try again`,
  notifyFailed: (): string => 'sd_notify failed',
  fanotifyRefused: (reason: string) =>
    `fanotify cannot be used here: ${reason} (it needs root with CAP_SYS_ADMIN and a kernel and file system that report file ids; use --backend auto, inotify or poll)`,
  statusListening: (): string => 'status socket listening',
  statusInUse: (path: string) =>
    `another watchtabd answers on ${path}: stop it, or give this one its own --socket`,
  statusFailed: (path: string, reason: string) =>
    `cannot serve status on ${path} (${reason}); watchtab status will not reach this daemon`,
  watchtabChanged: (): string => 'watchtab changed: reloading',
  sighup: (): string => 'SIGHUP: reloading',
  // sd_notify STATUS= (systemctl status shows it): entries armed, and how the last reload went.
  notifyStatus: (armed: number, total: number, lastReload: string | null) =>
    `${armed} of ${total} entr${total === 1 ? 'y' : 'ies'} armed` +
    (lastReload === null ? '' : `; last reload ${lastReload}`),
  reloadResult: (at: string, c: { files: number; broken: number; refused: number }) =>
    `${at}: ${c.files} file${c.files === 1 ? '' : 's'} read` +
    (c.broken + c.refused === 0
      ? ', no problems'
      : `, ${c.broken} with problems, ${c.refused} refused (their previous entries kept)`),
  reloadFailedResult: (at: string, reason: string) => `${at}: failed (${reason}); previous entries kept`,
} as const;

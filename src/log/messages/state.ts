// Sentences about the daemon's state folder (--state-dir) and the runs it records there.

export const msgState = {
  cannotMake: (reason: string) => `cannot be made (${reason})`,
  cannotRead: (reason: string) => `cannot be read (${reason})`,
  cannotWrite: (reason: string) => `cannot be written (${reason})`,
  notFolder: 'is not a folder',
  notOurs: (uid: number, euid: number) => `is owned by uid ${uid}, not by this daemon (uid ${euid})`,
  openToOthers: 'is writable by group or others (chmod 700 it)',
  notStateFile: 'is not a state file the daemon wrote (a link, not a plain file, or too large)',
  unusable: (path: string, reason: string) =>
    `state folder ${path} ${reason}: running without records (commands left running by a crashed daemon will not be recognised after a restart)`,
  recordsFailed: (path: string, reason: string) =>
    `state folder ${path}: the record of running commands cannot be written (${reason}); going on without it`,
  recordsUnreadable: (reason: string) =>
    `the record of running commands is unreadable (${reason}); it is ignored`,
  inherited: 'a command started by a previous watchtabd still runs: it counts as the entry’s running command',
  inheritedUnclaimed:
    'a command started by a previous watchtabd still runs for an entry that is no longer in the watchtab: it is left to finish and stopped with the daemon',
  catchUpUnreadable: (file: string, reason: string) =>
    `catch-up state ${file} is unreadable (${reason}): what changed while the daemon was stopped is not known for this entry, and it does not catch up this time`,
  catchingUp: (paths: number) =>
    `catching up: ${paths} path${paths === 1 ? '' : 's'} changed while the daemon was not watching; one run folds them in`,
  catchUpNothing: 'catching up: nothing changed while the daemon was not watching',
  catchUpWritten: 'catch-up state written',
  catchUpFailed: (path: string, reason: string) =>
    `state folder ${path}: the catch-up state cannot be written (${reason}); the next change tries again`,
  catchUpPruneFailed: (path: string, reason: string) =>
    `state folder ${path}: catch-up state of entries that are gone cannot be removed (${reason})`,
} as const;

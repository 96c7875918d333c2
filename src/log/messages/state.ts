// Sentences about the daemon's state folder (--state-dir) and the runs it records there.

export const msgState = {
  cannotMake: (reason: string) => `cannot be made (${reason})`,
  cannotRead: (reason: string) => `cannot be read (${reason})`,
  cannotWrite: (reason: string) => `cannot be written (${reason})`,
  notFolder: (): string => 'is not a folder',
  notOurs: (uid: number, euid: number) => `is owned by uid ${uid}, not by this daemon (uid ${euid})`,
  openToOthers: (): string => 'is writable by group or others (chmod 700 it)',
  notStateFile: (): string => 'is not a state file the daemon wrote (a link, not a plain file, or too large)',
  unusable: (path: string, reason: string) =>
    `state folder ${path} ${reason}: running without records (commands left running by a crashed daemon will not be recognised after a restart)`,
  recordsFailed: (path: string, reason: string) =>
    `state folder ${path}: the record of running commands cannot be written (${reason}); going on without it`,
  recordsUnreadable: (reason: string) =>
    `the record of running commands is unreadable (${reason}); it is ignored`,
  inherited: (): string =>
    'a command started by a previous watchtabd still runs: it counts as the entry’s running command',
  inheritedUnclaimed: (): string =>
    'a command started by a previous watchtabd still runs for an entry that is no longer in the watchtab: it is left to finish and stopped with the daemon',
} as const;

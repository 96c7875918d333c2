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
  catchUpUnreadable: (file: string, reason: string) =>
    `catch-up state ${file} is unreadable (${reason}): what changed while the daemon was stopped is not known for this entry, and it does not catch up this time`,
  catchingUp: (paths: number) =>
    `catching up: ${paths} path${paths === 1 ? '' : 's'} changed while the daemon was not watching; one run folds them in`,
  catchUpNothing: (): string => 'catching up: nothing changed while the daemon was not watching',
  catchUpWritten: (): string => 'catch-up state written',
  catchUpFailed: (path: string, reason: string) =>
    `state folder ${path}: the catch-up state cannot be written (${reason}); the next change tries again`,
  catchUpPruneFailed: (path: string, reason: string) =>
    `state folder ${path}: catch-up state of entries that are gone cannot be removed (${reason})`,
} as const;

/** Why a catch-up state file is refused (the daemon logs it and starts that entry knowing nothing). */
export const msgStateFile = {
  badField: (what: string): string => `bad ${what}`,
  badType: (type: string): string => `bad type ${JSON.stringify(type)}`,
  notGzip: (reason: string): string => `not readable as gzip (${reason})`,
  notOurs: (): string => 'not a catch-up state file',
  countMismatch: (announced: number, found: number): string => `${announced} paths announced, ${found} found`,
  fieldCount: (line: number, fields: number): string => `line ${line}: ${fields} fields, not 9`,
  badPrefix: (line: number): string => `line ${line}: bad prefix length`,
  outOfOrder: (line: number): string => `line ${line}: paths out of order`,
} as const;

// Sentences for the watchtab concern: every problem a reader reports, the ownership refusals, and
// what `watchtab check`/`list` print. `formatProblem` gives the one-line form users read.

/** What a one-line problem shows: watchtab/problem.ts's `Problem` has these fields (and more). */
export interface PlacedProblem {
  readonly file: string;
  /** 1-based; 0 when the problem is about the whole file. */
  readonly line: number;
  readonly column?: number;
  readonly key?: string;
  readonly message: string;
  readonly allowed?: readonly string[];
}

/** `FILE:LINE[:COLUMN]: KEY: message (allowed: a, b)`; a whole-file problem has no line. */
export function formatProblem(problem: PlacedProblem): string {
  const place =
    problem.line > 0
      ? `${problem.file}:${problem.line}${problem.column !== undefined ? `:${problem.column}` : ''}`
      : problem.file;
  const key = problem.key !== undefined ? `${problem.key}: ` : '';
  const allowed =
    problem.allowed !== undefined && problem.allowed.length > 0
      ? ` (allowed: ${problem.allowed.join(', ')})`
      : '';
  return `${place}: ${key}${problem.message}${allowed}`;
}

const quote = (text: string): string => JSON.stringify(text);

export const watchtabMessages = {
  cannotRead: (errno: string): string => `cannot be read (${errno})`,
  notRegularFile: (): string => 'is not a regular file',
  notFolder: (): string => 'is not a folder',
  noSuchFile: (): string => 'no such file',
  mainMissing: (): string => 'warning: no such file; the daemon runs without it and loads it when it appears',
  yamlSyntax: (detail: string): string => `not valid YAML: ${detail}`,
  unexpectedParseError: (detail: string): string =>
    `could not be read (${detail}); the file is left out whole — please report this as a bug`,
  yamlAliases: (max: number): string =>
    `too many aliases to expand (more than ${max}); write the value out instead of nesting aliases`,
  yamlDocuments: (count: number): string => `holds ${count} YAML documents; a watchtab is one`,
  fieldCount: (count: number): string =>
    count > 6
      ? `an entry line has at most 6 tab-separated fields, this one has ${count} (a tab inside the command is written \\ followed by a tab)`
      : `an entry line has at least 3 tab-separated fields (path, events, command), this one has ${count}`,
  danglingBackslash: (): string =>
    'a backslash at the end of the line escapes nothing (write \\\\ for a backslash)',
  envName: (name: string): string => `${quote(name)} is not a valid environment variable name`,
  envLineName: (name: string): string =>
    `${quote(name)} is not a valid environment variable name (this line has "=" before any tab or backslash, so it is an environment line; in a path, write \\=)`,
  envValue: (name: string, type: string): string =>
    `the value of ${quote(name)} must be a string, a number or a boolean, not ${type}`,
  unknownKey: (key: string): string => `unknown key ${quote(key)}`,
  missingKey: (key: string): string => `${quote(key)} is required`,
  wrongType: (expected: string, found: string): string => `expected ${expected}, found ${found}`,
  notSeconds: (text: string): string => `${quote(text)} is not a number of seconds`,
  outOfRange: (value: string, range: string): string => `${value} is out of range (${range})`,
  belowMinimum: (value: string, min: number): string =>
    `${value} is less than the minimum of ${min} seconds (durations are whole milliseconds, and this one would be 0)`,
  notInteger: (value: string): string => `${value} is not a whole number`,
  unknownValue: (value: string): string => `unknown value ${quote(value)}`,
  emptyText: (): string => 'must not be empty',
  nulByte: (): string => 'holds a NUL byte, which no command, path or environment can carry',
  pathTooLong: (bytes: number, max: number): string =>
    `is ${bytes} bytes long, over the ${max} bytes a path can have (PATH_MAX)`,
  nameTooLong: (name: string, bytes: number, max: number): string =>
    `the component ${quote(name.slice(0, 40))}${name.length > 40 ? '…' : ''} is ${bytes} bytes long, over the ${max} bytes a file name can have (NAME_MAX)`,
  notUtf8: (): string => 'is not valid UTF-8 (a watchtab is UTF-8 text)',
  fileTooBig: (bytes: number, max: number): string =>
    `is ${bytes} bytes, over the ${max} bytes (${max / 1024 / 1024} MiB) a watchtab file may have`,
  chrootAsRoot: (): string =>
    'warning: chroot without user runs the command as root inside the jail, and root can leave a chroot; set user',
  sameFile: (other: string): string =>
    `warning: is another name for ${other}, already read; its entries are loaded once`,
  badName: (): string => 'an entry name must not be empty or hold control characters',
  pathRelative: (path: string): string => `${quote(path)} is not an absolute path`,
  pathEmpty: (): string => 'the path is empty',
  pathListEmpty: (): string => 'an empty list watches nothing; give at least one path or glob',
  pathDuplicate: (path: string, first: number): string =>
    `warning: ${quote(path)} is the same as path[${first}]; it is watched once`,
  pathDotDot: (path: string): string => `${quote(path)}: ".." after a glob component cannot be resolved`,
  unknownEvent: (name: string): string => `unknown event ${quote(name)}`,
  emptyEvent: (text: string): string =>
    `empty event name in ${quote(text)} (names are separated by exactly one character)`,
  noEvents: (): string => 'at least one event is required',
  badUserSpec: (text: string): string => `${quote(text)} is not user[:group]`,
  badAccountId: (id: string, max: number): string =>
    `${quote(id)} is not a valid uid or gid (a whole number from 0 to ${max}, digits only)`,
  unknownUser: (user: string): string => `no user ${quote(user)} in the user database`,
  unknownGroup: (group: string): string => `no group ${quote(group)} in the user database`,
  lookupFailed: (what: string, name: string, errno: string): string =>
    `looking up ${what} ${quote(name)} failed (${errno}); the user database did not answer`,
  notSelf: (uid: number, gid: number): string =>
    `the daemon does not run as root, so it can run commands only as its own user and group (uid ${uid}, gid ${gid})`,
  duplicateName: (name: string, file: string, line: number): string =>
    `the entry name ${quote(name)} is already used at ${file}:${line}`,
  refusedOwner: (file: string, uid: number): string =>
    `not owned by root (owner uid ${uid}); fix: chown root:root ${file}`,
  refusedMode: (file: string, mode: number): string =>
    `writable by group or others (mode ${(mode & 0o7777).toString(8).padStart(4, '0')}); fix: chmod go-w ${file}`,
  refused: (file: string, reason: string): string => `${file}: refused: ${reason}`,
  checkValid: (file: string, entries: number): string =>
    `${file}: ${entries} ${entries === 1 ? 'entry' : 'entries'}, valid`,
  checkInvalid: (problems: number): string => `${problems} ${problems === 1 ? 'problem' : 'problems'} found`,
} as const;

/** Command-line usage mistakes of `watchtab` and `watchtabd` (printed with a hint, exit 2). */
export const usageMessages = {
  unknownOption: (arg: string, suggestion: string | null): string =>
    `unknown option ${quote(arg)}${didYouMean(suggestion)}`,
  unknownCommand: (word: string, suggestion: string | null): string =>
    `unknown command ${quote(word)}${didYouMean(suggestion)}`,
  commandRequired: (): string => 'a command is required',
  tooFewOperands: (synopsis: string): string => `an operand is missing (usage: ${synopsis})`,
  tooManyOperands: (synopsis: string): string => `too many operands (usage: ${synopsis})`,
  unexpectedOperand: (word: string): string => `unexpected operand ${quote(word)} (options start with --)`,
  needsValue: (option: string): string => `--${option} needs a value`,
  takesNoValue: (option: string): string => `--${option} takes no value`,
  badValue: (option: string, why: string): string => `--${option}: ${why}`,
  notOneOf: (option: string, text: string, choices: readonly string[], suggestion: string | null): string =>
    `--${option}: ${quote(text)} is not one of ${choices.join(', ')}${didYouMean(suggestion)}`,
  /** The second line of every usage error. */
  tryHelp: (command: string): string => `Try '${command} --help'.`,
} as const;

function didYouMean(suggestion: string | null): string {
  return suggestion === null ? '' : ` (did you mean ${suggestion}?)`;
}

/** `watchtabd --help`: the usage line and one sentence per option (the options table holds the rest). */
export const watchtabdHelpMessages = {
  usage: (): string => 'usage: watchtabd [OPTION...]',
  watchtab: (): string =>
    'the main watchtab; its drop-ins are in FILE.d/ (/etc/watchtab as root, else ~/.config/watchtab)',
  check: (): string =>
    'parse and validate the watchtab, print problems, exit 0 or 1 (a missing main file is only a warning)',
  logLevel: (levels: readonly string[]): string => `${levels.join(', ')} (info)`,
  logFile: (): string => 'log there instead of stderr',
  backend: (choices: readonly string[]): string => `${choices.join(', ')} (auto)`,
  pollInterval: (): string => 'for entries that poll and set none (5)',
  grace: (): string => 'at stop, SIGKILL this long after SIGTERM (10)',
  socket: (path: string): string => `the status socket (${path} as root)`,
  stateDir: (path: string): string =>
    `where the daemon keeps its records (${path} as root, else $XDG_STATE_HOME/watchtabd)`,
  help: (): string => 'show this help',
  version: (): string => 'show the version',
} as const;

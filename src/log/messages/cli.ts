// Sentences of the `watchtab` tool: each command's summary and --help text, and what a command
// says on stderr while it works. Usage errors are in watchtab.ts (`usageMessages`), shared with watchtabd.
const DEFAULT_FILE = '/etc/watchtab as root, else ~/.config/watchtab';

export const toolHelpMessages = {
  checkSummary: (): string =>
    `check watchtabs and their FILE.d/ as the daemon reads them (default ${DEFAULT_FILE})`,
  checkDescription: (): string =>
    'Problems go to stderr as FILE:LINE:COLUMN: KEY: message; one summary line per valid FILE to stdout.\nExit 0 when every FILE is valid, 1 when not.',
  listSummary: (): string => `list the entries the daemon will run (default ${DEFAULT_FILE})`,
  listDescription: (): string =>
    'An aligned table, or JSON; problems go to stderr and make the exit status 1.',
  listJson: (): string => 'print one JSON array of entries instead of a table',
  eventsSummary: (): string => 'print events on PATH as they happen (EVENT<TAB>PATH), until interrupted',
  eventsDescription: (events: readonly string[]): string =>
    [
      'Prints each event on PATH (a file; or a folder and its direct children; with --recursive,',
      'everything below a folder) as it happens, until interrupted (SIGINT, SIGTERM: exit 0).',
      'A PATH that does not exist yet is watched from when it appears.',
      "  EVENT<TAB>PATH                one line per event; a folder's path ends in /",
      '  rename<TAB>NEW<TAB>OLD        a rename: the new path, then the old one',
      `Events: ${events.join(', ')}.`,
    ].join('\n'),
  eventsRecursive: (): string => 'watch everything below a folder',
  eventsJson: (): string => 'one object per line: {"event","path","oldPath"?,"isDir"}',
  eventsDebug: (): string => 'also log on stderr what the kernel reported',
  editSummary: (): string => 'edit a watchtab in $VISUAL/$EDITOR; install it only when valid',
  editDescription: (): string =>
    `Edits a private copy of FILE (default ${DEFAULT_FILE}), checks it on save, and installs it only when valid.`,
  statusSummary: (): string =>
    "show the running daemon's entries, their state and last runs (ENTRY: its run history)",
  statusDescription: (): string =>
    'Asks the running watchtabd through its status socket; with ENTRY, shows that entry and its latest runs.',
  statusJson: (): string => "print the daemon's JSON document as it is",
  statusSocket: (): string => 'the status socket (as for watchtabd --socket)',
} as const;

/** One line a `watchtab` command writes on stderr: `watchtab COMMAND: TEXT`. */
export const toolLine = (command: string, text: string): string => `watchtab ${command}: ${text}`;

export const eventsMessages = {
  watching: (): string => 'watching; interrupt to stop',
  waitingFor: (path: string): string => `${path} does not exist yet; waiting for it to appear`,
} as const;

export const statusMessages = {
  /** `reason` null: nothing answers on the socket (no daemon, or a stale socket). */
  unreachable: (socket: string, reason: string | null): string =>
    toolLine('status', `cannot reach watchtabd on ${socket}: ${reason ?? 'is watchtabd running?'}`),
  noSuchEntry: (name: string): string =>
    toolLine('status', `the daemon has no entry named ${JSON.stringify(name)}`),
} as const;

// The shape of a `watchtab` sub-command: its name, a one-line summary for --help, and a function
// from its arguments to an exit code. Commands print; only cli/ sets the process's exit code.
export interface Command {
  readonly name: string;
  /** e.g. `check [FILE...]` */
  readonly synopsis: string;
  readonly summary: string;
  run(args: readonly string[]): Promise<number>;
}

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

// The shape of a `watchtab` sub-command: its name, its options and operands (from which the parser
// and its --help are made), and a function from the parsed command line to an exit code. Commands
// print; only cli/ sets the process's exit code.
import type { OptionSpec, ParsedCommandLine } from './command-line.js';

export interface Command {
  readonly name: string;
  /** e.g. `check [FILE...]` */
  readonly synopsis: string;
  readonly summary: string;
  /** Said after the usage line of `watchtab NAME --help`; may be several lines. */
  readonly description: string;
  /** Its options; --help is added to every command. */
  readonly options: readonly OptionSpec[];
  /** How many operands it takes (max Infinity for any number). */
  readonly operands: { readonly min: number; readonly max: number };
  run(given: ParsedCommandLine): Promise<number>;
}

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

// Runs a multi-command program: --help (the program's and each command's), --version, dispatch,
// and the exit code. Usage errors, from either program, are one line `PROGRAM[ COMMAND]: message`
// plus `Try '… --help'.` and exit 2; unexpected errors crash with their stack (they are bugs).
import { UsageError } from '../errors.js';
import { usageMessages as usage, watchtabdHelpMessages as helpText } from '../log/messages/watchtab.js';
import { EXIT_OK, EXIT_USAGE, type Command } from './command.js';
import type { OptionSpec } from './command-line.js';
import type { CommandHead } from './commands/heads.js';
import { VERSION } from '../version.js';

export function programHelp(
  program: string,
  commands: readonly Pick<CommandHead, 'synopsis' | 'summary'>[],
): string {
  const width = Math.max(...commands.map((c) => c.synopsis.length));
  const lines = commands.map((c) => `  ${program} ${c.synopsis.padEnd(width)}  ${c.summary}`);
  return [`usage:`, ...lines, `  ${program} --help | --version`, `  ${program} COMMAND --help`, ''].join(
    '\n',
  );
}

async function commandHelp(program: string, command: Command): Promise<string> {
  const { formatHelp, HELP_OPTION } = await import('./command-line.js');
  return formatHelp(`usage: ${program} ${command.synopsis}`, command.description, [
    ...command.options,
    HELP_OPTION,
  ]);
}

/** Runs `body`; a UsageError it throws is printed as `who: message` + the help hint, exit 2. */
export async function reportUsageErrors(
  who: string,
  helpCommand: string,
  body: () => Promise<number>,
): Promise<number> {
  try {
    return await body();
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${who}: ${error.message}\n${usage.tryHelp(helpCommand)}\n`);
    return EXIT_USAGE;
  }
}

async function dispatch(
  program: string,
  commands: readonly CommandHead[],
  argv: readonly string[],
): Promise<number> {
  const [first, ...rest] = argv;
  // The plain answers load nothing more (the option parser comes with the watchtab's value checks).
  if (argv.length === 1 && (first === '--version' || first === '-V')) {
    process.stdout.write(`${program} ${VERSION}\n`);
    return EXIT_OK;
  }
  if (argv.length === 1 && (first === '--help' || first === '-h')) {
    process.stdout.write(programHelp(program, commands));
    return EXIT_OK;
  }
  const { HELP_OPTION, nearest, parseCommandLine } = await import('./command-line.js');
  const PROGRAM_FLAGS: readonly OptionSpec[] = [
    HELP_OPTION,
    { long: 'version', short: 'V', value: null, help: helpText.version() },
  ];
  if (first === undefined || first.startsWith('-')) {
    const { values } = parseCommandLine(first === undefined ? [] : [first], PROGRAM_FLAGS);
    if (values.get('help') === true) process.stdout.write(programHelp(program, commands));
    else if (values.get('version') === true) process.stdout.write(`${program} ${VERSION}\n`);
    else throw new UsageError(usage.commandRequired());
    return EXIT_OK;
  }
  const head = commands.find((c) => c.name === first);
  if (head === undefined) {
    throw new UsageError(
      usage.unknownCommand(
        first,
        nearest(
          first,
          commands.map((c) => c.name),
        ),
      ),
    );
  }
  // Only now is the command's module loaded, with what it needs (the parser, the watcher, ...).
  const command = await head.load();
  const who = `${program} ${command.name}`;
  return reportUsageErrors(who, who, async () => {
    const given = parseCommandLine(rest, [...command.options, HELP_OPTION]);
    if (given.values.get('help') === true) {
      process.stdout.write(await commandHelp(program, command));
      return EXIT_OK;
    }
    const count = given.operands.length;
    const synopsis = `${program} ${command.synopsis}`;
    if (count < command.operands.min) throw new UsageError(usage.tooFewOperands(synopsis));
    if (count > command.operands.max) throw new UsageError(usage.tooManyOperands(synopsis));
    return command.run(given);
  });
}

export async function runCli(program: string, commands: readonly CommandHead[]): Promise<void> {
  process.exitCode = await reportUsageErrors(program, program, () =>
    dispatch(program, commands, process.argv.slice(2)),
  );
}

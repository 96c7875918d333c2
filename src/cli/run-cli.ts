// Runs a multi-command program: --help (the program's and each command's), --version, dispatch,
// and the exit code. Usage errors, from either program, are one line `PROGRAM[ COMMAND]: message`
// plus `Try '… --help'.` and exit 2; unexpected errors crash with their stack (they are bugs).
import { UsageError } from '../errors.js';
import { usageMessages as usage, watchtabdHelpMessages as helpText } from '../log/messages/watchtab.js';
import { EXIT_OK, EXIT_USAGE, type Command } from './command.js';
import { formatHelp, HELP_OPTION, nearest, parseCommandLine, type OptionSpec } from './command-line.js';
import { VERSION } from '../version.js';

export function programHelp(program: string, commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.synopsis.length));
  const lines = commands.map((c) => `  ${program} ${c.synopsis.padEnd(width)}  ${c.summary}`);
  return [`usage:`, ...lines, `  ${program} --help | --version`, `  ${program} COMMAND --help`, ''].join(
    '\n',
  );
}

export function commandHelp(program: string, command: Command): string {
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

const PROGRAM_FLAGS: readonly OptionSpec[] = [
  HELP_OPTION,
  { long: 'version', short: 'V', value: null, help: helpText.version() },
];

async function dispatch(
  program: string,
  commands: readonly Command[],
  argv: readonly string[],
): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first.startsWith('-')) {
    const { values } = parseCommandLine(first === undefined ? [] : [first], PROGRAM_FLAGS);
    if (values.get('help') === true) process.stdout.write(programHelp(program, commands));
    else if (values.get('version') === true) process.stdout.write(`${program} ${VERSION}\n`);
    else throw new UsageError(usage.commandRequired());
    return EXIT_OK;
  }
  const command = commands.find((c) => c.name === first);
  if (command === undefined) {
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
  const who = `${program} ${command.name}`;
  return reportUsageErrors(who, who, async () => {
    const given = parseCommandLine(rest, [...command.options, HELP_OPTION]);
    if (given.values.get('help') === true) {
      process.stdout.write(commandHelp(program, command));
      return EXIT_OK;
    }
    const count = given.operands.length;
    const synopsis = `${program} ${command.synopsis}`;
    if (count < command.operands.min) throw new UsageError(usage.tooFewOperands(synopsis));
    if (count > command.operands.max) throw new UsageError(usage.tooManyOperands(synopsis));
    return command.run(given);
  });
}

export async function runCli(program: string, commands: readonly Command[]): Promise<void> {
  process.exitCode = await reportUsageErrors(program, program, () =>
    dispatch(program, commands, process.argv.slice(2)),
  );
}

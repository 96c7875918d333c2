// Runs a multi-command program: --help, --version, dispatch, and the exit code. Usage errors are
// one line plus a hint and exit 2; unexpected errors crash with their stack (they are bugs).
import { UsageError } from '../errors.js';
import { EXIT_USAGE, type Command } from './command.js';
import { VERSION } from './version.js';

export function programHelp(program: string, commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.synopsis.length));
  const lines = commands.map((c) => `  ${program} ${c.synopsis.padEnd(width)}  ${c.summary}`);
  return [`usage:`, ...lines, `  ${program} --help | --version`, ''].join('\n');
}

export async function runCli(program: string, commands: readonly Command[]): Promise<void> {
  const [first, ...rest] = process.argv.slice(2);
  if (first === '--help' || first === '-h') {
    process.stdout.write(programHelp(program, commands));
    return;
  }
  if (first === '--version' || first === '-V') {
    process.stdout.write(`${program} ${VERSION}\n`);
    return;
  }
  const command = commands.find((c) => c.name === first);
  if (command === undefined) {
    const what = first === undefined ? 'a command is required' : `unknown command "${first}"`;
    process.stderr.write(`${program}: ${what}\nTry '${program} --help'.\n`);
    process.exitCode = EXIT_USAGE;
    return;
  }
  try {
    process.exitCode = await command.run(rest);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${program} ${command.name}: ${error.message}\nTry '${program} --help'.\n`);
    process.exitCode = EXIT_USAGE;
  }
}

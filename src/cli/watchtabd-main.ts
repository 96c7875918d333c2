// `watchtabd` once SIGUSR1 is held (watchtabd.ts): parses the command line, answers --help,
// --version and --check itself, and hands the run to the daemon. Exit codes: 0 clean stop or
// valid, 1 failure or invalid, 2 bad usage (one line and a hint).
import { UsageError } from '../errors.js';
import { runDaemon } from '../daemon/daemon.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from './command.js';
import { checkWatchtabs } from './commands/check.js';
import { VERSION } from './version.js';
import { closeInheritedFdsOnExec } from '../system/inherited-fds.js';
import { parseWatchtabdArgs, watchtabdHelp, type WatchtabdCommand } from './watchtabd-options.js';

async function main(): Promise<number> {
  let command: WatchtabdCommand;
  try {
    command = parseWatchtabdArgs(process.argv.slice(2), process.geteuid?.() ?? 0, process.env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`watchtabd: ${error.message}\nTry 'watchtabd --help'.\n`);
    return EXIT_USAGE;
  }
  switch (command.kind) {
    case 'help':
      process.stdout.write(watchtabdHelp());
      return EXIT_OK;
    case 'version':
      process.stdout.write(`watchtabd ${VERSION}\n`);
      return EXIT_OK;
    case 'run':
      if (command.options.check) {
        const out = { stdout: process.stdout, stderr: process.stderr };
        return (await checkWatchtabs([command.options.watchtab], out)) ? EXIT_OK : EXIT_FAILURE;
      }
      // Before anything can spawn: commands must not inherit what this process inherited.
      closeInheritedFdsOnExec();
      return runDaemon(command.options);
  }
}

process.exitCode = await main();

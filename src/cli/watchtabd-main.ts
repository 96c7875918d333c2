// `watchtabd` once SIGUSR1 is held (watchtabd.ts): parses the command line, answers --help,
// --version and --check itself, and hands the run to the daemon. Exit codes: 0 clean stop or
// valid, 1 failure or invalid, 2 bad usage (one line and a hint, as `watchtab` prints them).
// The daemon and the checker are loaded only when asked for: --version and --help load almost nothing.
import type { WatchtabdOptions } from '../daemon/options.js';
import { EXIT_FAILURE, EXIT_OK } from './command.js';
import { currentInvoker } from './defaults.js';
import { reportUsageErrors } from './run-cli.js';
import { VERSION } from '../version.js';
import { parseWatchtabdArgs, watchtabdHelp } from './watchtabd-options.js';

// `pidof watchtabd`, ps and top show this rather than `node`.
process.title = 'watchtabd';

async function startDaemon(options: WatchtabdOptions): Promise<number> {
  const [{ closeInheritedFdsOnExec }, { runDaemon }] = await Promise.all([
    import('../system/inherited-fds.js'),
    import('../daemon/daemon.js'),
  ]);
  // Before anything can spawn: commands must not inherit what this process inherited.
  closeInheritedFdsOnExec();
  return runDaemon(options);
}

async function main(): Promise<number> {
  const command = parseWatchtabdArgs(process.argv.slice(2), currentInvoker());
  switch (command.kind) {
    case 'help':
      process.stdout.write(watchtabdHelp());
      return EXIT_OK;
    case 'version':
      process.stdout.write(`watchtabd ${VERSION}\n`);
      return EXIT_OK;
    case 'run':
      if (command.options.check) {
        const { checkWatchtabs } = await import('./commands/check.js');
        const out = { stdout: process.stdout, stderr: process.stderr };
        return (await checkWatchtabs([command.options.watchtab], out)) ? EXIT_OK : EXIT_FAILURE;
      }
      return startDaemon(command.options);
  }
}

process.exitCode = await reportUsageErrors('watchtabd', 'watchtabd', main);

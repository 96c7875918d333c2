// `watchtab check [FILE...]`: read each FILE with its FILE.d/ as the daemon would, print every
// problem and refusal to stderr and one summary line per valid FILE to stdout; 0 valid, 1 not.
// A FILE that does not exist is invalid here (checking nothing is most likely a typo), although
// the daemon itself runs without its main file.
import { formatProblem, watchtabMessages as msg } from '../../log/messages/watchtab.js';
import { EXIT_FAILURE, EXIT_OK, type Command } from '../command.js';
import { DEFAULT_WATCHTAB, loadAsDaemon, splitArgs } from './load-args.js';

export interface Output {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

/** Checks each file; true when every one is valid. Shared with `watchtabd --check`. */
export async function checkWatchtabs(files: readonly string[], out: Output): Promise<boolean> {
  let isValid = true;
  for (const file of files) {
    const result = await loadAsDaemon(file);
    let count = 0;
    let problems = 0;
    for (const part of result.files) {
      if (!part.exists) {
        out.stderr.write(`${part.file}: ${msg.noSuchFile()}\n`);
        problems++;
      }
      if (part.refused !== null) {
        out.stderr.write(`${msg.refused(part.file, part.refused)}\n`);
        problems++;
      }
      for (const problem of part.problems) out.stderr.write(`${formatProblem(problem)}\n`);
      problems += part.problems.length;
      count += part.entries.length;
    }
    if (problems === 0) out.stdout.write(`${msg.checkValid(file, count)}\n`);
    else out.stderr.write(`${file}: ${msg.checkInvalid(problems)}\n`);
    isValid &&= problems === 0;
  }
  return isValid;
}

export const checkCommand: Command = {
  name: 'check',
  synopsis: 'check [FILE...]',
  summary: `check watchtabs and their FILE.d/ as the daemon reads them (default ${DEFAULT_WATCHTAB})`,
  async run(args) {
    const { operands } = splitArgs(args, []);
    const files = operands.length > 0 ? operands : [DEFAULT_WATCHTAB];
    return (await checkWatchtabs(files, { stdout: process.stdout, stderr: process.stderr }))
      ? EXIT_OK
      : EXIT_FAILURE;
  },
};

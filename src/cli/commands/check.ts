// `watchtab check [FILE...]`: read each FILE with its FILE.d/ as the daemon would, print every
// problem, warning and refusal to stderr and one summary line per valid FILE to stdout; 0 valid
// (warnings leave a file valid), 1 not.
// A FILE named to `watchtab check` that does not exist is invalid (checking nothing is most likely
// a typo); for `watchtabd --check` a missing main file is a warning, as it is for the daemon.
import { formatProblem, watchtabMessages as msg } from '../../log/messages/watchtab.js';
import { EXIT_FAILURE, EXIT_OK, type Command } from '../command.js';
import { headOf } from './heads.js';
import { toolHelpMessages as help } from '../../log/messages/cli.js';
import { currentInvoker, defaultWatchtab } from '../defaults.js';
import { loadAsDaemon } from './load-args.js';

export interface Output {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

export interface CheckOptions {
  /**
   * A missing main file is a problem (`watchtab check FILE`); otherwise, as for the daemon
   * (`watchtabd --check`, the default), a warning that leaves the result valid.
   */
  readonly isMissingMainInvalid: boolean;
}

/** Checks each file; true when every one is valid. Shared with `watchtabd --check`. */
export async function checkWatchtabs(
  files: readonly string[],
  out: Output,
  options: CheckOptions = { isMissingMainInvalid: false },
): Promise<boolean> {
  let isValid = true;
  for (const file of files) {
    const result = await loadAsDaemon(file);
    let count = 0;
    let problems = 0;
    for (const part of result.files) {
      if (!part.exists && options.isMissingMainInvalid) {
        out.stderr.write(`${part.file}: ${msg.noSuchFile()}\n`);
        problems++;
      } else if (!part.exists) {
        out.stderr.write(`${part.file}: ${msg.mainMissing()}\n`);
      }
      if (part.refused !== null) {
        out.stderr.write(`${msg.refused(part.file, part.refused)}\n`);
        problems++;
      }
      for (const problem of part.problems) out.stderr.write(`${formatProblem(problem)}\n`);
      // Warnings are shown and leave the file valid.
      for (const warning of part.warnings) out.stderr.write(`${formatProblem(warning)}\n`);
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
  ...headOf('check'),
  description: help.checkDescription(),
  options: [],
  operands: { min: 0, max: Infinity },
  async run({ operands }) {
    const files = operands.length > 0 ? operands : [defaultWatchtab(currentInvoker())];
    const out = { stdout: process.stdout, stderr: process.stderr };
    return (await checkWatchtabs(files, out, { isMissingMainInvalid: true })) ? EXIT_OK : EXIT_FAILURE;
  },
};

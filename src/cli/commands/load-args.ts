// What `check` and `list` share: reading a watchtab the way the daemon would (as the current user,
// with the system's user database), and splitting their arguments.
import { UsageError } from '../../errors.js';
import { usageMessages as usage } from '../../log/messages/watchtab.js';
import { createNssResolver } from '../../system/nss.js';
import { loadWatchtab, type LoadResult } from '../../watchtab/load.js';

export { DEFAULT_WATCHTAB } from '../watchtabd-options.js';

/** Loads as the daemon would when run by this user: the ownership rule applies when root. */
export function loadAsDaemon(file: string): Promise<LoadResult> {
  return loadWatchtab(file, { isRoot: process.geteuid?.() === 0, resolver: createNssResolver() });
}

/** Splits arguments into the given boolean flags and operands; any other `-x` is a usage error. */
export function splitArgs(
  args: readonly string[],
  flags: readonly string[],
): { flags: Set<string>; operands: string[] } {
  const found = new Set<string>();
  const operands: string[] = [];
  let isOperandsOnly = false;
  for (const arg of args) {
    if (isOperandsOnly || arg === '-' || !arg.startsWith('-')) operands.push(arg);
    else if (arg === '--') isOperandsOnly = true;
    else if (flags.includes(arg)) found.add(arg);
    else throw new UsageError(usage.unknownOption(arg));
  }
  return { flags: found, operands };
}

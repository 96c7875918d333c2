// watchtabd's command line → typed options. Every option of the contract's table is one row of
// WATCHTABD_OPTIONS: its flag, its help, and how its text (or its absence) becomes the option's
// value, so the parser, --help, the man page test and the defaults share one list.
import { resolve } from 'node:path';
import { UsageError } from '../errors.js';
import type { WatchtabdOptions } from '../daemon/options.js';
import { LOG_LEVELS } from '../log/levels.js';
import { usageMessages as usage, watchtabdHelpMessages as helpText } from '../log/messages/watchtab.js';
import { BACKEND_CHOICES, DEFAULT_GRACE_MS } from '../watchtab/entry.js';
import {
  formatHelp,
  HELP_OPTION,
  parseChoice,
  parseCommandLine,
  parseSeconds,
  type OptionSpec,
} from './command-line.js';
import {
  defaultSocket,
  defaultStateDir,
  defaultWatchtab,
  ROOT_SOCKET,
  ROOT_STATE_DIR,
  type Invoker,
} from './defaults.js';

export const DEFAULT_POLL_INTERVAL_MS = 5_000;

export type WatchtabdCommand =
  | { readonly kind: 'help' }
  | { readonly kind: 'version' }
  | { readonly kind: 'run'; readonly options: WatchtabdOptions };

/** One row: the flag, and `read`, from what was given (a string, `true` for a flag, or undefined). */
interface WatchtabdOption<K extends keyof WatchtabdOptions> extends OptionSpec {
  readonly key: K;
  readonly read: (given: string | true | undefined, invoker: Invoker) => WatchtabdOptions[K];
}

const row = <K extends keyof WatchtabdOptions>(o: WatchtabdOption<K>): WatchtabdOption<K> => o;
const text = (given: string | true | undefined): string | undefined =>
  typeof given === 'string' ? given : undefined;

/** The options table. Adding an option is one row here (and its field in WatchtabdOptions). */
export const WATCHTABD_OPTIONS = [
  row({
    long: 'watchtab',
    short: 'c',
    value: 'FILE',
    help: helpText.watchtab(),
    key: 'watchtab',
    read: (v, who) => resolve(text(v) ?? defaultWatchtab(who)),
  }),
  row({
    long: 'check',
    short: 'n',
    value: null,
    help: helpText.check(),
    key: 'check',
    read: (v) => v === true,
  }),
  row({
    long: 'log-level',
    short: null,
    value: 'LEVEL',
    help: helpText.logLevel(LOG_LEVELS),
    key: 'logLevel',
    read: (v) => (text(v) === undefined ? 'info' : parseChoice('log-level', String(v), LOG_LEVELS)),
  }),
  row({
    long: 'log-file',
    short: null,
    value: 'FILE',
    help: helpText.logFile(),
    key: 'logFile',
    read: (v) => text(v) ?? null,
  }),
  row({
    long: 'backend',
    short: null,
    value: 'NAME',
    help: helpText.backend(BACKEND_CHOICES),
    key: 'backend',
    read: (v) => (text(v) === undefined ? 'auto' : parseChoice('backend', String(v), BACKEND_CHOICES)),
  }),
  row({
    long: 'poll-interval',
    short: null,
    value: 'SECONDS',
    help: helpText.pollInterval(),
    key: 'pollIntervalMs',
    read: (v) =>
      text(v) === undefined ? DEFAULT_POLL_INTERVAL_MS : parseSeconds('poll-interval', String(v), false),
  }),
  row({
    long: 'grace',
    short: null,
    value: 'SECONDS',
    help: helpText.grace(),
    key: 'graceMs',
    read: (v) => (text(v) === undefined ? DEFAULT_GRACE_MS : parseSeconds('grace', String(v), true)),
  }),
  row({
    long: 'socket',
    short: null,
    value: 'PATH',
    help: helpText.socket(ROOT_SOCKET),
    key: 'socket',
    read: (v, who) => text(v) ?? defaultSocket(who),
  }),
  row({
    long: 'state-dir',
    short: null,
    value: 'DIR',
    help: helpText.stateDir(ROOT_STATE_DIR),
    key: 'stateDir',
    read: (v, who) => resolve(text(v) ?? defaultStateDir(who)),
  }),
] as const;

type KeysRead = (typeof WATCHTABD_OPTIONS)[number]['key'];
const IS_EVERY_KEY_READ: Exclude<keyof WatchtabdOptions, KeysRead> extends never ? true : false = true;
void IS_EVERY_KEY_READ;

/** Every flag watchtabd answers: the options, then --help and --version. */
export const WATCHTABD_FLAGS: readonly OptionSpec[] = [
  ...WATCHTABD_OPTIONS,
  HELP_OPTION,
  { long: 'version', short: 'V', value: null, help: helpText.version() },
];

export function watchtabdHelp(): string {
  return formatHelp(helpText.usage(), '', WATCHTABD_FLAGS);
}

export function parseWatchtabdArgs(argv: readonly string[], invoker: Invoker): WatchtabdCommand {
  const { values, operands } = parseCommandLine(argv, WATCHTABD_FLAGS);
  if (values.get('help') === true) return { kind: 'help' };
  if (values.get('version') === true) return { kind: 'version' };
  const [extra] = operands;
  if (extra !== undefined) throw new UsageError(usage.unexpectedOperand(extra));
  // Each row reads its own key, and IS_EVERY_KEY_READ fails to compile if a field has no row.
  const options = Object.fromEntries(
    WATCHTABD_OPTIONS.map((o) => [o.key, o.read(values.get(o.long), invoker)]),
  );
  return { kind: 'run', options: options as unknown as WatchtabdOptions };
}

// watchtabd's command line → typed options. Every option of the contract's table; bad usage is a
// UsageError (the caller prints it with a hint and exits 2). Defaults are resolved here, once.
import { homedir } from 'node:os';
import { parseArgs } from 'node:util';
import { UsageError } from '../errors.js';
import { LOG_LEVELS, type LogLevel } from '../log/logger.js';
import { usageMessages as usage, watchtabdHelpMessages as helpText } from '../log/messages/watchtab.js';
import { BACKEND_CHOICES, DEFAULT_GRACE_MS, type BackendChoice } from '../watchtab/entry.js';
import { MAX_SECONDS } from '../watchtab/values.js';

export const DEFAULT_WATCHTAB = '/etc/watchtab';
export const DEFAULT_POLL_INTERVAL_MS = 5_000;
export const ROOT_SOCKET = '/run/watchtabd/watchtabd.sock';
export const ROOT_STATE_DIR = '/var/lib/watchtabd';

export interface WatchtabdOptions {
  readonly watchtab: string;
  readonly check: boolean;
  readonly logLevel: LogLevel;
  readonly logFile: string | null;
  readonly backend: BackendChoice;
  readonly pollIntervalMs: number;
  readonly graceMs: number;
  /** Resolved: /run/watchtabd/watchtabd.sock as root, else $XDG_RUNTIME_DIR/watchtabd.sock. */
  readonly socket: string;
  /** Resolved: /var/lib/watchtabd as root, else $XDG_STATE_HOME/watchtabd (~/.local/state/watchtabd). */
  readonly stateDir: string;
}

export type WatchtabdCommand =
  | { readonly kind: 'help' }
  | { readonly kind: 'version' }
  | { readonly kind: 'run'; readonly options: WatchtabdOptions };

/** The options table: parseArgs, --help and the man page share it. */
export const WATCHTABD_OPTIONS = [
  { long: 'watchtab', short: 'c', value: 'FILE', help: helpText.watchtab(DEFAULT_WATCHTAB) },
  { long: 'check', short: 'n', value: null, help: helpText.check() },
  { long: 'log-level', short: null, value: 'LEVEL', help: helpText.logLevel(LOG_LEVELS) },
  { long: 'log-file', short: null, value: 'FILE', help: helpText.logFile() },
  { long: 'backend', short: null, value: 'NAME', help: helpText.backend(BACKEND_CHOICES) },
  { long: 'poll-interval', short: null, value: 'SECONDS', help: helpText.pollInterval() },
  { long: 'grace', short: null, value: 'SECONDS', help: helpText.grace() },
  { long: 'socket', short: null, value: 'PATH', help: helpText.socket(ROOT_SOCKET) },
  { long: 'state-dir', short: null, value: 'DIR', help: helpText.stateDir(ROOT_STATE_DIR) },
  { long: 'help', short: 'h', value: null, help: helpText.help() },
  { long: 'version', short: 'V', value: null, help: helpText.version() },
] as const;

export function watchtabdHelp(): string {
  const rows = WATCHTABD_OPTIONS.map((o) => {
    const flag = `${o.short !== null ? `-${o.short}, ` : '    '}--${o.long}${o.value !== null ? ` ${o.value}` : ''}`;
    return [flag, o.help] as const;
  });
  const width = Math.max(...rows.map(([flag]) => flag.length));
  return [helpText.usage(), '', ...rows.map(([f, h]) => `  ${f.padEnd(width)}  ${h}`), ''].join('\n');
}

/** The default status socket: system-wide as root, else in the user's runtime folder. */
export function defaultSocket(uid: number, env: NodeJS.ProcessEnv): string {
  if (uid === 0) return ROOT_SOCKET;
  const runtime = env['XDG_RUNTIME_DIR'];
  return `${runtime !== undefined && runtime !== '' ? runtime : `/run/user/${uid}`}/watchtabd.sock`;
}

/** The default state folder: system-wide as root, else the user's XDG state folder. */
export function defaultStateDir(uid: number, env: NodeJS.ProcessEnv): string {
  if (uid === 0) return ROOT_STATE_DIR;
  const state = env['XDG_STATE_HOME'];
  // XDG: a relative value is invalid and ignored.
  if (state !== undefined && state.startsWith('/')) return `${state}/watchtabd`;
  const home = env['HOME'];
  return `${home !== undefined && home.startsWith('/') ? home : homedir()}/.local/state/watchtabd`;
}

function seconds(option: string, text: string, isZeroAllowed: boolean): number {
  const value = Number(text);
  if (!/^(\d+(\.\d*)?|\.\d+)$/.test(text) || value > MAX_SECONDS || (!isZeroAllowed && value === 0)) {
    throw new UsageError(usage.notSeconds(option, text, isZeroAllowed));
  }
  return Math.round(value * 1000);
}

function choice<T extends string>(option: string, text: string, choices: readonly T[]): T {
  const found = choices.find((c) => c === text);
  if (found === undefined) throw new UsageError(usage.notOneOf(option, text, choices));
  return found;
}

export function parseWatchtabdArgs(
  argv: readonly string[],
  uid: number,
  env: NodeJS.ProcessEnv,
): WatchtabdCommand {
  const config = Object.fromEntries(
    WATCHTABD_OPTIONS.map((o) => [
      o.long,
      {
        type: o.value === null ? ('boolean' as const) : ('string' as const),
        ...(o.short !== null ? { short: o.short } : {}),
      },
    ]),
  );
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: [...argv], options: config, strict: true, allowPositionals: false }));
  } catch (error) {
    if (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')) {
      throw new UsageError(error.message.split('\n')[0] ?? error.message);
    }
    throw error;
  }
  if (values['help'] === true) return { kind: 'help' };
  if (values['version'] === true) return { kind: 'version' };
  const text = (name: string): string | undefined => {
    const value = values[name];
    if (value === '') throw new UsageError(usage.needsValue(name));
    return typeof value === 'string' ? value : undefined;
  };
  const pollInterval = text('poll-interval');
  const grace = text('grace');
  const logLevel = text('log-level');
  const backend = text('backend');
  const options: WatchtabdOptions = {
    watchtab: text('watchtab') ?? DEFAULT_WATCHTAB,
    check: values['check'] === true,
    logLevel: logLevel === undefined ? 'info' : choice('log-level', logLevel, LOG_LEVELS),
    logFile: text('log-file') ?? null,
    backend: backend === undefined ? 'auto' : choice('backend', backend, BACKEND_CHOICES),
    pollIntervalMs:
      pollInterval === undefined ? DEFAULT_POLL_INTERVAL_MS : seconds('poll-interval', pollInterval, false),
    graceMs: grace === undefined ? DEFAULT_GRACE_MS : seconds('grace', grace, true),
    socket: text('socket') ?? defaultSocket(uid, env),
    stateDir: text('state-dir') ?? defaultStateDir(uid, env),
  };
  return { kind: 'run', options };
}

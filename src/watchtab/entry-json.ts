// An entry as JSON, with the watchtab's own key names and units (`delay` in seconds, `on-busy`),
// for `watchtab list --json` and the status document: one form for both, checked by the compiler.
import type { BackendChoice, Entry, EventName, OnBusy, PathSpec, RunAs, StdinFormat } from './entry.js';
import type { EntryKey } from './validate.js';

/** A PathSpec in JSON: unlimited depth (`**`) is null, as JSON has no Infinity. */
export type PathJson =
  | { readonly kind: 'exact'; readonly path: string }
  | {
      readonly kind: 'glob';
      readonly base: string;
      readonly pattern: string;
      readonly maxDepth: number | null;
    };

/** Every duration is in seconds, as the watchtab writes it. */
export interface EntryJson {
  readonly name: string;
  /** `FILE:LINE` where the entry is written. */
  readonly source: string;
  /** Every path the entry watches (the watchtab's `path`, a list of one when it names one). */
  readonly path: readonly PathJson[];
  readonly exclude: readonly string[];
  readonly events: readonly EventName[];
  readonly delay: number;
  readonly settle: number;
  readonly 'max-wait': number;
  readonly stdin: StdinFormat;
  readonly 'catch-up': boolean;
  /** The account the command runs as; null: the daemon's own. */
  readonly user: RunAs | null;
  readonly chroot: string | null;
  readonly cwd: string | null;
  readonly command: string;
  readonly 'on-busy': OnBusy;
  readonly timeout: number | null;
  readonly grace: number;
  readonly env: Readonly<Record<string, string>>;
  readonly 'content-only': boolean;
  readonly 'ignore-own-changes': boolean;
  readonly backend: BackendChoice | null;
  readonly 'poll-interval': number | null;
  readonly 'trigger-limit-burst': number;
  readonly 'trigger-limit-interval': number;
}

// Compile-time: every key but `source` is a key of the watchtab (validate.ts's ENTRY_KEYS).
const keysAreWatchtabKeys: [Exclude<keyof EntryJson, EntryKey | 'source'>] extends [never] ? true : false =
  true;
void keysAreWatchtabKeys;

const seconds = (ms: number): number => ms / 1000;

export function pathJson(spec: PathSpec): PathJson {
  if (spec.kind === 'exact') return spec;
  return { ...spec, maxDepth: spec.maxDepth === Infinity ? null : spec.maxDepth };
}

/** `FILE:LINE`, the form an entry's default name and every message use. */
export function sourceText(entry: Entry): string {
  return `${entry.source.file}:${entry.source.line}`;
}

export function entryJson(entry: Entry): EntryJson {
  return {
    name: entry.name,
    source: sourceText(entry),
    path: entry.paths.map(pathJson),
    exclude: entry.exclude,
    events: entry.events,
    delay: seconds(entry.delayMs),
    settle: seconds(entry.settleMs),
    'max-wait': seconds(entry.maxWaitMs),
    stdin: entry.stdin,
    'catch-up': entry.catchUp,
    user: entry.runAs,
    chroot: entry.chroot,
    cwd: entry.cwd,
    command: entry.command,
    'on-busy': entry.onBusy,
    timeout: entry.timeoutMs === null ? null : seconds(entry.timeoutMs),
    grace: seconds(entry.graceMs),
    env: entry.env,
    'content-only': entry.contentOnly,
    'ignore-own-changes': entry.ignoreOwnChanges,
    backend: entry.backend,
    'poll-interval': entry.pollIntervalMs === null ? null : seconds(entry.pollIntervalMs),
    'trigger-limit-burst': entry.runLimit.burst,
    'trigger-limit-interval': seconds(entry.runLimit.intervalMs),
  };
}

// Raw entry → validated entry or problems: one function for both formats, so a key means the same
// thing in the classic and the YAML form. Every problem of an entry is collected; the account
// (`user`) is resolved later, by the loader, through its UserResolver.
import { watchtabMessages as msg } from '../log/messages/watchtab.js';
import {
  BACKEND_CHOICES,
  DEFAULT_GRACE_MS,
  DEFAULT_MAX_WAIT_MS,
  DEFAULT_RUN_LIMIT,
  ON_BUSY_POLICIES,
  STDIN_FORMATS,
  watchBase,
  type Entry,
  type PathSpec,
} from './entry.js';
import { absoluteExclude, expandWatchtabDir, parsePathSpec } from './path-pattern.js';
import { isError, problemAt, type Place, type Problem } from './problem.js';
import { badAccountId, MAX_ACCOUNT_ID, parseUserSpec, type UserSpec } from './run-as.js';
import {
  Checker,
  checkBoolean,
  checkChoice,
  checkEnv,
  checkEvents,
  checkFolder,
  checkInteger,
  checkSeconds,
  checkPathLimits,
  checkString,
  hasNul,
  pathMessage,
  type RawField,
} from './values.js';

/** Every key an entry may have (YAML); the classic fields are path, events, delay, user, chroot, command. */
export const ENTRY_KEYS = [
  'name',
  'path',
  'exclude',
  'events',
  'delay',
  'settle',
  'max-wait',
  'stdin',
  'catch-up',
  'user',
  'chroot',
  'cwd',
  'command',
  'on-busy',
  'timeout',
  'grace',
  'env',
  'content-only',
  'ignore-own-changes',
  'backend',
  'poll-interval',
  'trigger-limit-burst',
  'trigger-limit-interval',
] as const;
export type EntryKey = (typeof ENTRY_KEYS)[number];
export const REQUIRED_KEYS: readonly EntryKey[] = ['path', 'events', 'command'];

export interface RawEntry {
  /** Where the entry starts: its line, or its list item's. */
  readonly place: Place;
  readonly fields: ReadonlyMap<string, RawField>;
  /** The file's environment in force for this entry (environment lines, or the file's `env`). */
  readonly env: Readonly<Record<string, string>>;
}

/** An entry before its account is resolved. */
export interface Draft {
  readonly entry: Omit<Entry, 'runAs'>;
  readonly user: { readonly spec: UserSpec; readonly place: Place } | null;
}

export interface ValidateContext {
  /** The absolute folder holding the file, for `${WATCHTAB_DIR}`. */
  readonly watchtabDir: string;
}

export function validateEntry(
  raw: RawEntry,
  context: ValidateContext,
): { draft: Draft | null; problems: Problem[] } {
  const problems: Problem[] = [];
  for (const [key, field] of raw.fields) {
    if (!(ENTRY_KEYS as readonly string[]).includes(key)) {
      const place = field.keyPlace ?? field.place;
      problems.push(
        problemAt(place, 'E_KEY_UNKNOWN', msg.unknownKey(key), { key, found: key, allowed: ENTRY_KEYS }),
      );
    }
  }
  // A NUL byte cannot reach execve, a path or an environment: such an entry could never run.
  // (A path list's items are checked one by one, so the problem names the item.)
  for (const [key, field] of raw.fields)
    if (hasNul(field.value) && !(key === 'path' && Array.isArray(field.value)))
      problems.push(problemAt(field.place, 'E_VALUE', msg.nulByte(), { key }));
  for (const [name, value] of Object.entries(raw.env))
    if (hasNul(value))
      problems.push(problemAt(raw.place, 'E_ENV', `${name}: ${msg.nulByte()}`, { key: 'env' }));
  for (const key of REQUIRED_KEYS) {
    // A YAML null (`path: ~`, `events:`) is no value: as missing as an absent key.
    const value = raw.fields.get(key)?.value;
    if (value === undefined || value === null)
      problems.push(problemAt(raw.place, 'E_KEY_MISSING', msg.missingKey(key), { key }));
  }
  /**
   * Runs `check` on a present, non-null field; `fallback` when absent. On a problem it also gives
   * `fallback`: the problem is recorded and the draft is dropped, so the value is never used.
   */
  const take = <T, F>(key: EntryKey, check: (c: Checker) => T | undefined, fallback: F): T | F => {
    const field = raw.fields.get(key);
    if (field === undefined || field.value === null || field.value === undefined) return fallback;
    return check(new Checker(problems, key, field)) ?? fallback;
  };
  const dir = context.watchtabDir;
  const paths = take('path', (c) => checkPaths(c, (text) => expandWatchtabDir(text, dir, true)), null);
  const folder = (c: Checker): string | undefined =>
    checkFolder(c, (text) => expandWatchtabDir(text, dir, false));
  const seconds = (isZeroAllowed: boolean) => (c: Checker) => checkSeconds(c, { isZeroAllowed });
  const user = take('user', checkUser, null);
  const entry: Omit<Entry, 'runAs'> = {
    name: take('name', checkName, `${raw.place.file}:${raw.place.line}`),
    source: { file: raw.place.file, line: raw.place.line },
    paths: paths ?? [{ kind: 'exact', path: '/' }],
    exclude: paths === null ? [] : take('exclude', (c) => checkExclude(c, paths, dir), []),
    events: take('events', checkEvents, []),
    delayMs: take('delay', (c) => checkSeconds(c, { isZeroAllowed: true, isStarZero: true }), 0),
    settleMs: take('settle', seconds(true), 0),
    maxWaitMs: take('max-wait', seconds(false), DEFAULT_MAX_WAIT_MS),
    stdin: take('stdin', (c) => checkChoice(c, STDIN_FORMATS), 'none' as const),
    catchUp: take('catch-up', checkBoolean, true),
    chroot: take('chroot', folder, null),
    cwd: take('cwd', folder, null),
    command: take('command', checkString, ''),
    onBusy: take('on-busy', (c) => checkChoice(c, ON_BUSY_POLICIES), 'queue' as const),
    timeoutMs: take('timeout', seconds(false), null),
    graceMs: take('grace', seconds(true), DEFAULT_GRACE_MS),
    env: { ...raw.env, ...take('env', checkEnv, {}) },
    contentOnly: take('content-only', checkBoolean, false),
    ignoreOwnChanges: take('ignore-own-changes', checkBoolean, false),
    backend: take('backend', (c) => checkChoice(c, BACKEND_CHOICES), null),
    pollIntervalMs: take('poll-interval', seconds(false), null),
    runLimit: {
      burst: take('trigger-limit-burst', (c) => checkInteger(c, 1, 1_000_000), DEFAULT_RUN_LIMIT.burst),
      intervalMs: take('trigger-limit-interval', seconds(false), DEFAULT_RUN_LIMIT.intervalMs),
    },
  };
  if (entry.chroot !== null && user === null) {
    const place = raw.fields.get('chroot')?.place ?? raw.place;
    problems.push(
      problemAt(place, 'W_CHROOT_AS_ROOT', msg.chrootAsRoot(), { key: 'chroot', isWarning: true }),
    );
  }
  if (problems.some(isError)) return { draft: null, problems };
  const userPlace = raw.fields.get('user')?.place ?? raw.place;
  return { draft: { entry, user: user === null ? null : { spec: user, place: userPlace } }, problems };
}

function checkName(c: Checker): string | undefined {
  const { value } = c.field;
  if (typeof value !== 'string') return c.wrongType('a string');
  // eslint-disable-next-line no-control-regex
  if (value.trim() === '' || /[\u0000-\u001f\u007f]/.test(value))
    return c.report('E_VALUE', msg.badName(), { found: value });
  return value;
}

/** One path or glob (a string); `c` may be a list item's checker, whose key names the item. */
function checkPathSpec(c: Checker, expand: (text: string) => string): PathSpec | undefined {
  const { value } = c.field;
  if (typeof value !== 'string') return c.wrongType('a string');
  const expanded = expand(value);
  if (!checkPathLimits(c, expanded)) return undefined;
  const result = parsePathSpec(expanded);
  return result.ok ? result.value : c.report('E_PATH', pathMessage(result.error, value), { found: value });
}

type PathList = readonly [PathSpec, ...PathSpec[]];

/**
 * `path`: one path or glob, or (YAML) a list of them, each checked as one path, its problems
 * naming the item (`path[1]`) and its line. A path written twice (the same after normalizing) is
 * a warning and watched once; two names for one file are found when the watches are armed.
 */
function checkPaths(c: Checker, expand: (text: string) => string): PathList | undefined {
  const { value } = c.field;
  if (!Array.isArray(value)) {
    if (typeof value !== 'string') return c.wrongType('a path, or a list of paths');
    const spec = checkPathSpec(c, expand);
    return spec === undefined ? undefined : [spec];
  }
  if (value.length === 0) return c.report('E_VALUE', msg.pathListEmpty());
  const specs: PathSpec[] = [];
  const seen = new Map<string, number>();
  let isValid = true;
  value.forEach((item: unknown, index) => {
    const place = c.field.itemPlaces?.[index] ?? c.field.place;
    const itemChecker = new Checker(c.problems, `path[${index}]`, { value: item, place });
    // (A single path's NUL byte is reported with the other keys' in validateEntry.)
    const spec = hasNul(item)
      ? itemChecker.report('E_VALUE', msg.nulByte())
      : checkPathSpec(itemChecker, expand);
    if (spec === undefined) {
      isValid = false;
      return;
    }
    const key = JSON.stringify(spec, (_k, v: unknown) => (v === Infinity ? 'Infinity' : v));
    const first = seen.get(key);
    if (first === undefined) {
      seen.set(key, index);
      specs.push(spec);
    } else {
      const found = typeof item === 'string' ? item : '';
      c.problems.push(
        problemAt(place, 'W_PATH_DUPLICATE', msg.pathDuplicate(found, first), {
          key: `path[${index}]`,
          found,
          isWarning: true,
        }),
      );
    }
  });
  const [head, ...rest] = specs;
  return isValid && head !== undefined ? [head, ...rest] : undefined;
}

/** Excludes: an absolute pattern as written; a relative one below each path's base (deduplicated). */
function checkExclude(c: Checker, paths: PathList, watchtabDir: string): string[] | undefined {
  const { value } = c.field;
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || !list.every((v): v is string => typeof v === 'string')) {
    return c.wrongType('a list of glob patterns');
  }
  const bases = [...new Set(paths.map(watchBase))];
  const patterns: string[] = [];
  for (const pattern of list) {
    const expanded = expandWatchtabDir(pattern, watchtabDir, true);
    for (const base of expanded.startsWith('/') ? bases.slice(0, 1) : bases) {
      const result = absoluteExclude(base, expanded);
      if (!result.ok) return c.report('E_PATH', pathMessage(result.error, pattern), { found: pattern });
      if (!patterns.includes(result.value)) patterns.push(result.value);
    }
  }
  return patterns;
}

function checkUser(c: Checker): UserSpec | undefined {
  const { value, source } = c.field;
  // A YAML number is taken as written (`1e3` is not uid 1000).
  const text = typeof value === 'number' ? (source ?? String(value)) : value;
  if (typeof text !== 'string') return c.wrongType('a string, user[:group]');
  const spec = parseUserSpec(text.trim());
  if (spec === null) return c.report('E_VALUE', msg.badUserSpec(text), { found: text });
  for (const part of [spec.user, spec.group]) {
    const bad = part === null ? null : badAccountId(part);
    if (bad !== null) return c.report('E_VALUE', msg.badAccountId(bad, MAX_ACCOUNT_ID), { found: text });
  }
  return spec;
}

// Validators for single watchtab values (seconds, events, names, paths, environment), shared by the
// classic and YAML formats. Each returns the typed value, or records a Problem and returns undefined.
import { watchtabMessages as msg } from '../log/messages/watchtab.js';
import { EVENT_NAMES, STAR_EVENTS, type EventName } from './entry.js';
import { NAME_MAX, normalizeAbsolute, PATH_MAX, pathLimitError, type PathError } from './path-pattern.js';
import { problemAt, type Place, type Problem, type ProblemCode } from './problem.js';

/** The longest duration a timer can hold (2^31-1 ms), in seconds. */
export const MAX_SECONDS = 2_147_483;
/** The shortest duration that is not 0: durations are whole milliseconds. */
export const MIN_SECONDS = 0.001;

/** A value as read from a file: YAML gives any type, the classic format gives strings. */
export interface RawField {
  readonly value: unknown;
  readonly place: Place;
  /** Where the key is written (YAML), when it differs from the value's place. */
  readonly keyPlace?: Place;
  /** A YAML scalar's text as written (`01234`, `1.10`), when it is not a string. */
  readonly source?: string;
  /** For a YAML list, where each of its items is written (a problem with one names its line). */
  readonly itemPlaces?: readonly Place[];
}

/** Collects problems for one key of one entry. */
export class Checker {
  constructor(
    readonly problems: Problem[],
    readonly key: string,
    readonly field: RawField,
  ) {}

  report(
    code: ProblemCode,
    message: string,
    extra: { found?: string; allowed?: readonly string[] } = {},
  ): undefined {
    this.problems.push(problemAt(this.field.place, code, message, { key: this.key, ...extra }));
    return undefined;
  }

  wrongType(expected: string): undefined {
    return this.report('E_TYPE', msg.wrongType(expected, typeName(this.field.value)));
  }
}

export function typeName(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `a ${typeof value}`;
}

export interface SecondsRule {
  /** Whether 0 is allowed (delay, grace) or not (timeout, intervals). */
  readonly isZeroAllowed: boolean;
  /** The classic format's `*` in the delay field means 0, as in filewatcherd. */
  readonly isStarZero?: boolean;
}

/** Seconds, decimals allowed, to whole milliseconds. */
export function checkSeconds(c: Checker, rule: SecondsRule): number | undefined {
  const { value } = c.field;
  let seconds: number;
  if (typeof value === 'string') {
    const text = value.trim();
    if (rule.isStarZero === true && text === '*') return 0;
    if (!/^(\d+(\.\d*)?|\.\d+)$/.test(text))
      return c.report('E_VALUE', msg.notSeconds(value), { found: value });
    seconds = Number(text);
  } else if (typeof value === 'number') {
    seconds = value;
  } else {
    return c.wrongType('a number of seconds');
  }
  const range = `${rule.isZeroAllowed ? '0' : 'more than 0'} to ${MAX_SECONDS} seconds`;
  if (
    !Number.isFinite(seconds) ||
    seconds < 0 ||
    seconds > MAX_SECONDS ||
    (!rule.isZeroAllowed && seconds === 0)
  ) {
    return c.report('E_VALUE', msg.outOfRange(String(value), range), { found: String(value) });
  }
  // Checked after rounding: 0.0001 is 0 ms, which would kill at once or poll without pause.
  const ms = Math.round(seconds * 1000);
  if (!rule.isZeroAllowed && ms === 0)
    return c.report('E_VALUE', msg.belowMinimum(String(value), MIN_SECONDS), { found: String(value) });
  return ms;
}

export function checkInteger(c: Checker, min: number, max: number): number | undefined {
  const { value } = c.field;
  if (typeof value !== 'number') return c.wrongType('a whole number');
  if (!Number.isInteger(value))
    return c.report('E_VALUE', msg.notInteger(String(value)), { found: String(value) });
  if (value < min || value > max) {
    return c.report('E_VALUE', msg.outOfRange(String(value), `${min} to ${max}`), { found: String(value) });
  }
  return value;
}

export function checkString(c: Checker): string | undefined {
  const { value } = c.field;
  if (typeof value !== 'string') return c.wrongType('a string');
  if (value.trim() === '') return c.report('E_VALUE', msg.emptyText());
  return value;
}

export function checkBoolean(c: Checker): boolean | undefined {
  return typeof c.field.value === 'boolean' ? c.field.value : c.wrongType('true or false');
}

export function checkChoice<T extends string>(c: Checker, choices: readonly T[]): T | undefined {
  const { value } = c.field;
  if (typeof value !== 'string') return c.wrongType('a string');
  const found = choices.find((choice) => choice === value);
  return found ?? c.report('E_VALUE', msg.unknownValue(value), { found: value, allowed: choices });
}

const EVENT_ALLOWED: readonly string[] = ['*', ...EVENT_NAMES];

function eventName(c: Checker, word: string): EventName | undefined {
  const lower = word.toLowerCase();
  const found = EVENT_NAMES.find((name) => name === lower);
  return (
    found ?? c.report('E_EVENT_UNKNOWN', msg.unknownEvent(word), { found: word, allowed: EVENT_ALLOWED })
  );
}

/** `*`, or names split by any one character that is not a letter, digit or `_`; case-insensitive. */
function eventsFromText(c: Checker, text: string): EventName[] | undefined {
  const trimmed = text.trim();
  if (trimmed === '*') return [...STAR_EVENTS];
  const words = trimmed.split(/[^A-Za-z0-9_]/);
  if (words.some((w) => w === '')) return c.report('E_EVENT_EMPTY', msg.emptyEvent(text), { found: text });
  const names = words.map((w) => eventName(c, w));
  return allDefined(names);
}

/** The list when every item is there; undefined when one failed (its problem is recorded). */
function allDefined<T>(items: readonly (T | undefined)[]): T[] | undefined {
  const defined = items.filter((item): item is T => item !== undefined);
  return defined.length === items.length ? defined : undefined;
}

/** Events as a string (classic, or YAML) or a YAML list of names (`'*'` allowed as an item); sorted. */
export function checkEvents(c: Checker): readonly EventName[] | undefined {
  const { value } = c.field;
  let names: EventName[] | undefined;
  if (typeof value === 'string') {
    names = eventsFromText(c, value);
  } else if (Array.isArray(value) && value.every((v): v is string => typeof v === 'string')) {
    if (value.length === 0) return c.report('E_EVENT_EMPTY', msg.noEvents());
    const each = value.map((v) => (v.trim() === '*' ? [...STAR_EVENTS] : [eventName(c, v.trim())]));
    const flat = each.flat();
    names = allDefined(flat);
  } else {
    return c.wrongType('"*", or a list of event names');
  }
  if (names === undefined) return undefined;
  const set = new Set(names);
  return EVENT_NAMES.filter((name) => set.has(name));
}

export function pathMessage(error: PathError, path: string): string {
  switch (error) {
    case 'empty':
      return msg.pathEmpty();
    case 'relative':
      return msg.pathRelative(path);
    case 'dotdot':
      return msg.pathDotDot(path);
  }
}

/** An absolute folder path (cwd, chroot), every character literal; normalized. */
export function checkFolder(c: Checker, expand: (text: string) => string): string | undefined {
  const text = checkString(c);
  if (text === undefined) return undefined;
  const expanded = expand(text);
  if (!checkPathLimits(c, expanded)) return undefined;
  const result = normalizeAbsolute(expanded, false);
  return result.ok ? result.value : c.report('E_PATH', pathMessage(result.error, text), { found: text });
}

/** False (with the problem recorded) when the kernel could never take `path` (PATH_MAX, NAME_MAX). */
export function checkPathLimits(c: Checker, path: string): boolean {
  const error = pathLimitError(path);
  if (error === null) return true;
  if (error.kind === 'path') c.report('E_PATH', msg.pathTooLong(error.bytes, PATH_MAX - 1));
  else c.report('E_PATH', msg.nameTooLong(error.name, error.bytes, NAME_MAX));
  return false;
}

/** Whether a raw value (a string, or a list or mapping of them) holds a NUL byte anywhere. */
export function hasNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\0');
  if (Array.isArray(value)) return value.some(hasNul);
  if (typeof value === 'object' && value !== null)
    return Object.entries(value).some(([k, v]) => k.includes('\0') || hasNul(v));
  return false;
}

export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A YAML `env` mapping: names as in the shell, values strings (numbers and booleans are written out). */
export function checkEnv(c: Checker): Record<string, string> | undefined {
  const { value } = c.field;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return c.wrongType('a mapping');
  const env: Record<string, string> = {};
  const before = c.problems.length;
  for (const [name, v] of Object.entries(value)) {
    if (!ENV_NAME.test(name)) c.report('E_ENV', msg.envName(name), { found: name });
    else if (typeof v === 'string' && v.includes('\0')) c.report('E_ENV', `${name}: ${msg.nulByte()}`);
    else if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') env[name] = String(v);
    else c.report('E_ENV', msg.envValue(name, typeName(v)));
  }
  return c.problems.length === before ? env : undefined;
}

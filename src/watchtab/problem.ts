// A mistake in a watchtab, as a value: validation collects every one of these instead of throwing
// at the first, each with its place (file, line, column, key), what was found and what is allowed.
// The wording of `message` comes from log/messages/watchtab.ts; formatting is `formatProblem` there.

export const PROBLEM_CODES = [
  'E_READ', // the file or folder cannot be read
  'E_NOT_FILE', // not a regular file (or, for a drop-in folder, not a folder)
  'E_MISSING', // `watchtab check`: the file does not exist
  'E_SYNTAX', // YAML that does not parse, or a classic line that cannot be split
  'E_FIELDS', // a classic entry line with fewer than 3 or more than 6 fields
  'E_ENV', // a bad environment line or `env` map
  'E_KEY_UNKNOWN',
  'E_KEY_MISSING',
  'E_TYPE', // a YAML value of the wrong type
  'E_VALUE', // a value of the right type, out of range or malformed
  'E_PATH', // a path that is relative, empty, or uses `..` where it cannot be resolved
  'E_EVENT_UNKNOWN',
  'E_EVENT_EMPTY',
  'E_USER_UNKNOWN',
  'E_GROUP_UNKNOWN',
  'E_USER_LOOKUP', // the user database failed (not "no such user")
  'E_USER_NOT_SELF', // a daemon not running as root cannot switch users
  'E_NAME_DUPLICATE',
  'E_ENCODING', // a watchtab file that is not valid UTF-8
  'E_TOO_BIG', // a watchtab file over MAX_WATCHTAB_BYTES
  'W_CHROOT_AS_ROOT', // a warning: chroot without user
  'W_SAME_FILE', // a warning: a second name for a file already read
  'W_PATH_DUPLICATE', // a warning: a path list names the same path twice (it is watched once)
] as const;
export type ProblemCode = (typeof PROBLEM_CODES)[number];

export interface Problem {
  readonly code: ProblemCode;
  /** The file as the reader was given it. */
  readonly file: string;
  /** 1-based; 0 when the problem is about the whole file. */
  readonly line: number;
  /** 1-based, where known. */
  readonly column?: number;
  /** The field or YAML key concerned (`events`, `delay`, `user`...). */
  readonly key?: string;
  /** What was written, as written. */
  readonly found?: string;
  /** What would have been accepted (names, or a description). */
  readonly allowed?: readonly string[];
  /** The sentence, without the place, the key or the allowed values. */
  readonly message: string;
  /** A warning is shown by `check` but leaves the file valid; absent: an error. */
  readonly severity?: 'warning';
}

/** Whether `problem` makes its file invalid (everything but a warning does). */
export function isError(problem: Problem): boolean {
  return problem.severity !== 'warning';
}

/** Where a value was written, for building problems. */
export interface Place {
  readonly file: string;
  readonly line: number;
  readonly column?: number;
}

/** Builds a problem at `place`, leaving out the optional fields that are undefined. */
export function problemAt(
  place: Place,
  code: ProblemCode,
  message: string,
  extra: { key?: string; found?: string; allowed?: readonly string[]; isWarning?: boolean } = {},
): Problem {
  return {
    code,
    file: place.file,
    line: place.line,
    ...(place.column !== undefined ? { column: place.column } : {}),
    ...(extra.key !== undefined ? { key: extra.key } : {}),
    ...(extra.found !== undefined ? { found: extra.found } : {}),
    ...(extra.allowed !== undefined ? { allowed: extra.allowed } : {}),
    message,
    ...(extra.isWarning === true ? { severity: 'warning' as const } : {}),
  };
}

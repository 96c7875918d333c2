// Paths and globs of the watchtab language: normalization, the split of a glob into its static base
// folder and an absolute pattern (the syntax watch/glob.ts compiles), and containment on whole path
// components. Pure: no file-system access. Glob syntax is only what the contract lists: `*`, `?`,
// `[…]`, `{a,b}`, `**`; every other character is literal, a backslash too unless it escapes one.
import type { PathSpec } from './entry.js';

/**
 * Characters a backslash escapes in watchtab glob text. Before any other character (or at the end)
 * a backslash is itself: `/srv/back\slash` is the folder `back\slash`.
 */
const ESCAPABLE = new Set(['\\', '*', '?', '[', ']', '{', '}', ',']);

/** The kernel's limits on a path (with its terminating NUL) and on one of its names, in bytes. */
export const PATH_MAX = 4096;
export const NAME_MAX = 255;

export type LimitError =
  | { readonly kind: 'path'; readonly bytes: number }
  | { readonly kind: 'name'; readonly name: string; readonly bytes: number };

/**
 * Why the kernel would refuse `path` whatever exists: PATH_MAX bytes or more, or a component over
 * NAME_MAX. Checks the total first, so a 10 MB path costs one length count, never a split.
 */
export function pathLimitError(path: string): LimitError | null {
  const bytes = Buffer.byteLength(path);
  if (bytes >= PATH_MAX) return { kind: 'path', bytes };
  for (const name of path.split('/')) {
    const nameBytes = Buffer.byteLength(name);
    if (nameBytes > NAME_MAX) return { kind: 'name', name, bytes: nameBytes };
  }
  return null;
}

/** Expands to the absolute folder holding the watchtab file being read (in path, exclude, cwd, chroot). */
export const WATCHTAB_DIR_PLACEHOLDER = '${WATCHTAB_DIR}';

export type PathError = 'empty' | 'relative' | 'dotdot';

export type PathResult<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: PathError };

/** Replaces the placeholder; `isGlob`: the folder's own glob characters are escaped, so they stay literal. */
export function expandWatchtabDir(text: string, watchtabDir: string, isGlob: boolean): string {
  return text.replaceAll(WATCHTAB_DIR_PLACEHOLDER, isGlob ? escapeGlob(watchtabDir) : watchtabDir);
}

/** Escapes every glob character (and the backslash), so `text` matches only itself. */
export function escapeGlob(text: string): string {
  return text.replace(/[\\*?[\]{},]/g, '\\$&');
}

/** Whether the backslash at `i` escapes the next character (only a glob character, or a backslash). */
function isEscape(text: string, i: number): boolean {
  return text.charAt(i) === '\\' && i + 1 < text.length && ESCAPABLE.has(text.charAt(i + 1));
}

/** True when a component holds contract glob syntax (unescaped). */
function isGlobComponent(component: string): boolean {
  return scanGlob(component).firstGlob >= 0;
}

interface GlobScan {
  /**
   * The pattern for the watcher's matcher (watch/glob.ts): every literal character that could be
   * read as glob syntax is written `\x` (a literal backslash `\\`), glob syntax is kept.
   */
  readonly pattern: string;
  /** The index in `pattern` of the first glob character; -1 when there is none. */
  readonly firstGlob: number;
}

/** Where each `{` with a top-level `,` closes: only those braces are `{a,b}` alternatives. */
function braceGroups(text: string): Map<number, number> {
  const groups = new Map<number, number>();
  const open: { at: number; hasComma: boolean }[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text.charAt(i);
    if (isEscape(text, i)) i++;
    else if (ch === '[' && bracketEnd(text, i) > i) i = bracketEnd(text, i);
    else if (ch === '{') open.push({ at: i, hasComma: false });
    else if (ch === ',' && open.length > 0)
      open[open.length - 1] = { ...open[open.length - 1]!, hasComma: true };
    else if (ch === '}') {
      const group = open.pop();
      if (group?.hasComma === true) groups.set(group.at, i);
    }
  }
  return groups;
}

/** The end of a `[…]` class starting at `start` (a `]` right after `[` or `[!` is a member); -1: none. */
function bracketEnd(text: string, start: number): number {
  let i = start + 1;
  if (text[i] === '!' || text[i] === '^') i++;
  if (text[i] === ']') i++;
  for (; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '/') return -1;
    else if (text[i] === ']') return i;
  }
  return -1;
}

/**
 * Reads `text` with the contract's glob syntax only: `*`, `?`, `[…]` (`[!…]` negates, written
 * `[^…]`), `{a,b}`, and a backslash before a glob character or a backslash. Everything else is literal.
 */
function scanGlob(text: string): GlobScan {
  const braces = braceGroups(text);
  const closers = new Set(braces.values());
  const open: number[] = [];
  let pattern = '';
  let firstGlob = -1;
  const glob = (): void => {
    if (firstGlob < 0) firstGlob = pattern.length;
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text.charAt(i);
    if (isEscape(text, i)) {
      pattern += escapeGlob(text.charAt(i + 1));
      i++;
    } else if (ch === '*' || ch === '?') {
      glob();
      pattern += ch;
    } else if (ch === '[' && bracketEnd(text, i) > i) {
      const end = bracketEnd(text, i);
      glob();
      pattern += `[${text.slice(i + 1, end).replace(/^!/, '^')}]`;
      i = end;
    } else if (ch === '{' && braces.has(i)) {
      glob();
      open.push(braces.get(i)!);
      pattern += ch;
    } else if (ch === '}' && closers.has(i)) {
      open.pop();
      pattern += ch;
    } else if (ch === ',' && open.length > 0) {
      pattern += ch;
    } else {
      pattern += escapeGlob(ch);
    }
  }
  return { pattern, firstGlob };
}

/** An absolute pattern as the watcher's matcher reads it. */
function toPattern(normal: string): string {
  return scanGlob(normal).pattern;
}

/**
 * Normalizes an absolute path or glob by text: repeated `/` and `.` components go, a trailing `/`
 * goes, and `..` removes the component before it (by text, not following symbolic links). A `..`
 * after a glob component cannot be resolved by text and is an error, as is a relative path.
 * With `isGlob` false (cwd, chroot) every character is literal.
 */
export function normalizeAbsolute(path: string, isGlob = true): PathResult<string> {
  if (path === '') return { ok: false, error: 'empty' };
  if (!path.startsWith('/')) return { ok: false, error: 'relative' };
  const kept: string[] = [];
  let isAfterGlob = false;
  for (const component of path.split('/')) {
    if (component === '' || component === '.') continue;
    if (component === '..') {
      if (isAfterGlob) return { ok: false, error: 'dotdot' };
      kept.pop();
      continue;
    }
    if (isGlob && isGlobComponent(component)) isAfterGlob = true;
    kept.push(component);
  }
  return { ok: true, value: `/${kept.join('/')}` };
}

/** Reads a pattern part without glob syntax as the text it matches: `\x` becomes `x`. */
function unescapePattern(pattern: string): string {
  return pattern.replace(/\\(.)/gsu, '$1');
}

/**
 * Turns a path or glob into a PathSpec. Without unescaped glob characters it is an exact path (its
 * escapes removed: `/tmp/a\*b` is the file `a*b`); otherwise the static folder before the first
 * glob component is the base and `maxDepth` is an upper bound of the components below it that a
 * match can have (`Infinity` with `**`).
 */
export function parsePathSpec(path: string): PathResult<PathSpec> {
  const normal = normalizeAbsolute(path);
  if (!normal.ok) return normal;
  const scan = scanGlob(normal.value);
  if (scan.firstGlob < 0) return { ok: true, value: { kind: 'exact', path: unescapePattern(scan.pattern) } };
  // No `/` is ever escaped in a pattern: the last one before the first glob character ends the base.
  const slash = scan.pattern.lastIndexOf('/', scan.firstGlob);
  const staticPart = scan.pattern.slice(0, slash);
  const base = staticPart === '' ? '/' : unescapePattern(staticPart);
  const globPart = scan.pattern.slice(slash + 1);
  const maxDepth = globPart.includes('**') ? Infinity : globPart.split('/').length;
  return { ok: true, value: { kind: 'glob', base, pattern: scan.pattern, maxDepth } };
}

/**
 * Makes an exclude pattern absolute: an absolute one is normalized; a relative one (`**\/.git/**`,
 * `*.tmp`) is taken relative to the watch's base folder (a literal folder: its glob characters are escaped).
 */
export function absoluteExclude(base: string, pattern: string): PathResult<string> {
  if (pattern === '') return { ok: false, error: 'empty' };
  const absolute = pattern.startsWith('/') ? pattern : `${base === '/' ? '' : escapeGlob(base)}/${pattern}`;
  const normal = normalizeAbsolute(absolute);
  return normal.ok ? { ok: true, value: toPattern(normal.value) } : normal;
}

/** Whether `path` is `folder` or below it, on whole components: `/var/lib_x` is not within `/var/lib`. */
export function isWithin(path: string, folder: string): boolean {
  // On the watcher's event path: no allocation unless the folder has a trailing slash.
  const trimmed = folder.length > 1 && folder.endsWith('/') ? folder.replace(/\/+$/, '') : folder;
  if (trimmed === '/' || trimmed === '') return path.startsWith('/');
  return path === trimmed || (path.startsWith(trimmed) && path.charCodeAt(trimmed.length) === 47);
}

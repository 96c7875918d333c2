// Paths and globs of the watchtab language: normalization, the split of a glob into its static base
// folder and an absolute pattern (picomatch syntax, matched with `{ dot: true }` by the watcher), and
// containment on whole path components. Pure: no file-system access.
import picomatch from 'picomatch';
import type { PathSpec } from './entry.js';

/** Expands to the absolute folder holding the watchtab file being read (in path, exclude, cwd, chroot). */
export const WATCHTAB_DIR_PLACEHOLDER = '${WATCHTAB_DIR}';

export type PathError = 'empty' | 'relative' | 'dotdot';

export type PathResult<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: PathError };

/** Replaces the placeholder; `isGlob`: the folder's own glob characters are escaped, so they stay literal. */
export function expandWatchtabDir(text: string, watchtabDir: string, isGlob: boolean): string {
  return text.replaceAll(WATCHTAB_DIR_PLACEHOLDER, isGlob ? escapeGlob(watchtabDir) : watchtabDir);
}

/** Escapes every character picomatch could read as a glob, so `text` matches only itself. */
export function escapeGlob(text: string): string {
  return text.replace(/[\\*?[\]{}()!+@|]/g, '\\$&');
}

/** True when a component holds an unescaped glob character (as picomatch would read it). */
function isGlobComponent(component: string): boolean {
  return picomatch.scan(component).isGlob;
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

/** Removes glob escapes: `\x` becomes `x`. */
export function unescapeGlob(text: string): string {
  return text.replace(/\\(.)/gs, '$1');
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
  const scan = picomatch.scan(normal.value);
  if (!scan.isGlob) return { ok: true, value: { kind: 'exact', path: unescapeGlob(normal.value) } };
  const base = scan.base === '' ? '/' : unescapeGlob(scan.base);
  const maxDepth = scan.glob.includes('**') ? Infinity : scan.glob.split('/').length;
  return { ok: true, value: { kind: 'glob', base, pattern: normal.value, maxDepth } };
}

/**
 * Makes an exclude pattern absolute: an absolute one is normalized; a relative one (`**\/.git/**`,
 * `*.tmp`) is taken relative to the watch's base folder (a literal folder: its glob characters are escaped).
 */
export function absoluteExclude(base: string, pattern: string): PathResult<string> {
  if (pattern === '') return { ok: false, error: 'empty' };
  const absolute = pattern.startsWith('/') ? pattern : `${base === '/' ? '' : escapeGlob(base)}/${pattern}`;
  return normalizeAbsolute(absolute);
}

/** Whether `path` is `folder` or below it, on whole components: `/var/lib_x` is not within `/var/lib`. */
export function isWithin(path: string, folder: string): boolean {
  const trimmed = folder.length > 1 ? folder.replace(/\/+$/, '') : folder;
  if (trimmed === '/' || trimmed === '') return path.startsWith('/');
  return path === trimmed || path.startsWith(`${trimmed}/`);
}

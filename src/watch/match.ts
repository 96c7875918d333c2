// Which paths a target reports and which folders it watches: its PathSpec and excludes compiled
// once with the bounded matcher (glob.ts: linear in the path, whatever names a user makes).
// Containment is on whole path components, never on string prefixes: `/var/lib_x` is not inside
// `/var/lib`. Pure: no file-system access; back-end neutral.
import type { PathSpec } from '../watchtab/entry.js';
import { escapeGlob, isWithin } from '../watchtab/path-pattern.js';
import { compileGlob } from './glob.js';

/** A target's scope, as the watcher asks about it. */
export interface Scope {
  /** The topmost folder that must be watched: a glob's base, an exact path's parent folder. */
  readonly anchor: string;
  /** The path the target names: a glob's base, or the exact path (revoke events carry it). */
  readonly named: string;
  /** Whether an event on `path` is reported (in scope, matching, not excluded). */
  isReported(path: string): boolean;
  /** Whether the folder `dir` is watched (within reach of the pattern, not excluded). */
  isWatchedDir(dir: string): boolean;
  /**
   * The only names in the folder `dir` that can be reported or watched, when the scope knows them
   * (an exact path's parent holds one that matters); null when any name may (then `dir` is read).
   */
  namesIn(dir: string): readonly string[] | null;
}

/** Components of `path` below `folder` (0 for the folder itself); -1 when not within it. */
export function depthBelow(path: string, folder: string): number {
  if (!isWithin(path, folder)) return -1;
  if (path === folder) return 0;
  let depth = 0;
  for (let i = folder === '/' ? 0 : folder.length; i < path.length; i++)
    if (path.charCodeAt(i) === 47) depth++;
  return depth;
}

/** The folder holding `path` ('/' for '/'). */
export function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

/** `dir` + '/' + `name`, without doubling the slash of '/'. */
export function joinPath(dir: string, name: string): string {
  return dir === '/' ? `/${name}` : `${dir}/${name}`;
}

/** The glob target `watchtab events --recursive` and tests use for "this folder, all the way down". */
export function recursiveSpec(dir: string): PathSpec {
  const base = dir.length > 1 ? dir.replace(/\/+$/, '') : dir;
  return { kind: 'glob', base, pattern: `${base === '/' ? '' : escapeGlob(base)}/**`, maxDepth: Infinity };
}

/** Compiles a PathSpec and its absolute exclude patterns into a Scope. */
export function compileScope(spec: PathSpec, exclude: readonly string[]): Scope {
  const globs = exclude.map(compileGlob);
  const excluded = globs.length === 0 ? null : (path: string): boolean => globs.some((g) => g.matches(path));
  const isExcluded = (path: string): boolean => excluded !== null && excluded(path);
  // A folder is not watched when it matches (`**/node_modules`) or when any name inside it would
  // (`**/.git/**`): nothing below it could be reported.
  const isExcludedDir = (dir: string): boolean =>
    excluded !== null && (excluded(dir) || excluded(`${dir}/\u0001`));
  if (spec.kind === 'exact') {
    const named = spec.path;
    const anchor = parentOf(named);
    // The parent is never listed: with 10,000 entries on the files of one folder, reading it
    // once per entry was the whole start-up (74 s).
    const ownName = [named.slice(named.lastIndexOf('/') + 1)];
    return {
      anchor,
      named,
      namesIn: (dir) => (dir === anchor && dir !== named ? ownName : null),
      isReported: (path) => (path === named || parentOf(path) === named) && !isExcluded(path),
      isWatchedDir: (dir) => (dir === anchor || dir === named) && !(dir === named && isExcludedDir(dir)),
    };
  }
  const glob = compileGlob(spec.pattern);
  const matches = (path: string): boolean => glob.matches(path);
  const { base, maxDepth } = spec;
  // One event asks about its path several times (created, deleted, then its other facts): the last
  // answer is kept, so a flood of long names is matched once per event, not three times.
  let lastPath: string | null = null;
  let isLastReported = false;
  return {
    anchor: base,
    named: base,
    isReported: (path) => {
      if (path !== lastPath) {
        isLastReported = isWithin(path, base) && matches(path) && !isExcluded(path);
        lastPath = path;
      }
      return isLastReported;
    },
    namesIn: () => null,
    isWatchedDir: (dir) => {
      const depth = depthBelow(dir, base);
      return depth >= 0 && depth < maxDepth && (depth === 0 || !isExcludedDir(dir));
    },
  };
}

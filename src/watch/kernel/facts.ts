// The core's one event vocabulary: what a back-end saw happen to a watched folder or to an entry in
// it, as bits each back-end sets at its own edge from its kernel's mask (inotify/edge.ts,
// fanotify/edge.ts), and what a watch asks for. The core tests only these. The values are the
// core's own, not any kernel's: a kernel mask handed over untranslated means something else here.

/** A fact about a folder or an entry in it; several may come in one set (see `Facts`). */
export const FACT = {
  CREATE: 1 << 0,
  DELETE: 1 << 1,
  MOVED_FROM: 1 << 2,
  MOVED_TO: 1 << 3,
  DELETE_SELF: 1 << 4,
  MOVE_SELF: 1 << 5,
  MODIFY: 1 << 6,
  /** Attributes changed; a file's link count is one of them. */
  ATTRIB: 1 << 7,
  CLOSE_WRITE: 1 << 8,
  CLOSE_NOWRITE: 1 << 9,
  OPEN: 1 << 10,
  ACCESS: 1 << 11,
  /** The file system holding the watched folder was unmounted (never asked for: always told). */
  UNMOUNT: 1 << 12,
  /** The subject is a folder (never asked for: told with the other facts). */
  IS_DIR: 1 << 13,
} as const;

/** How a watch is placed, asked for beside the facts it wants. */
export const PLACE = {
  /** Only if the path is a folder (a file there is an error: ENOTDIR). */
  ONLY_DIR: 1 << 16,
  /** Never through a symbolic link at the path itself. */
  NO_FOLLOW: 1 << 17,
} as const;

/** A set of `FACT` bits: what one kernel event told. */
export type Facts = number;
/** A set of `FACT` and `PLACE` bits: what a watch asks for. */
export type Interest = number;

/** A watch as the back-end that placed it knows it (inotify's wd; a folder's number for fanotify). */
export type WatchHandle = number;

/** How the table places watches: each back-end gives its own (inotify_add_watch, or a book). */
export interface WatchKernel {
  /**
   * Watches `path` (a /proc/self/fd/N link is followed: it is how a checked folder is reached)
   * for `interest`, added to what the watch of that folder had when `isAdded`, else replacing it.
   * Returns the same handle for the same folder. Throws SystemCallError naming `shownAs` if given.
   */
  watch(path: string | Buffer, interest: Interest, how: WatchHow): WatchHandle;
  /** Removes a watch; a handle already gone is not an error. */
  unwatch(handle: WatchHandle): void;
}

export interface WatchHow {
  readonly isAdded: boolean;
  readonly shownAs?: string;
  /** The folder's `dev:ino`, when the caller has just looked at the descriptor `path` names. */
  readonly identity?: string;
}

/** Pairs of (kernel bit, core bit) for a back-end's translation; `translate` applies them. */
export type BitMap = readonly (readonly [number, number])[];

/** The event facts inotify and fanotify both name as the core does (IN_CREATE and FAN_CREATE are CREATE). */
export const EVENT_FACT_NAMES = [
  'CREATE',
  'DELETE',
  'MOVED_FROM',
  'MOVED_TO',
  'DELETE_SELF',
  'MOVE_SELF',
  'MODIFY',
  'ATTRIB',
  'CLOSE_WRITE',
  'CLOSE_NOWRITE',
  'OPEN',
  'ACCESS',
] as const;

/** The (kernel bit, core bit) pairs of every event fact, from a kernel's bits by the same names. */
export function bitsByName(kernel: { readonly [N in (typeof EVENT_FACT_NAMES)[number]]: number }): BitMap {
  return EVENT_FACT_NAMES.map((name) => [kernel[name], FACT[name]] as const);
}

/** The bits of `mask` under `map`, from the left column to the right. */
export function translate(mask: number, map: BitMap): number {
  let out = 0;
  for (const [from, to] of map) if ((mask & from) !== 0) out |= to;
  return out >>> 0;
}

/** Distinct masks a cached translation keeps (kernels send a few dozen combinations; a bound all the same). */
const MAX_MASKS_KEPT = 1024;

/** `translate` under `map`, each distinct mask translated once (it runs for every kernel event). */
export function cachedTranslation(map: BitMap): (mask: number) => number {
  const byMask = new Map<number, number>();
  return (mask) => {
    const known = byMask.get(mask);
    if (known !== undefined) return known;
    const out = translate(mask, map);
    if (byMask.size < MAX_MASKS_KEPT) byMask.set(mask, out);
    return out;
  };
}

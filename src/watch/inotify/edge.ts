// inotify's edge to the core (kernel/): IN_* masks turned into the core's facts, the core's
// interest into IN_* masks, and the instance's add/remove watch calls as the table drives them.
// Nothing past this file sees an IN_* bit about a target's folders.
import {
  bitsByName,
  cachedTranslation,
  FACT,
  PLACE,
  translate,
  type BitMap,
  type Facts,
  type Interest,
  type WatchKernel,
} from '../kernel/facts.js';
import type { InotifyInstance } from './instance.js';
import { IN } from './mask.js';

const EVENT_BITS = bitsByName(IN);
const REPORTED_BITS: BitMap = [...EVENT_BITS, [IN.UNMOUNT, FACT.UNMOUNT], [IN.ISDIR, FACT.IS_DIR]];
const INTEREST_BITS: BitMap = [
  ...EVENT_BITS.map(([kernel, core]) => [core, kernel] as const),
  [PLACE.ONLY_DIR, IN.ONLYDIR],
  [PLACE.NO_FOLLOW, IN.DONT_FOLLOW],
];

const reportedFacts = cachedTranslation(REPORTED_BITS);

/** The facts an inotify event's mask tells (IN_IGNORED and IN_Q_OVERFLOW are the back-end's). */
export function factsOf(mask: number): Facts {
  return reportedFacts(mask);
}

/** The inotify_add_watch mask for what a watch asks. */
export function inotifyMaskOf(interest: Interest): number {
  return translate(interest, INTEREST_BITS);
}

/** The table's way to place watches, on one inotify instance; a handle is its wd. */
export function inotifyWatches(inotify: InotifyInstance): WatchKernel {
  return {
    watch: (path, interest, how) => {
      const mask = inotifyMaskOf(interest) | (how.isAdded ? IN.MASK_ADD : 0);
      return inotify.addWatch(path, mask >>> 0, how.shownAs);
    },
    unwatch: (handle) => inotify.removeWatch(handle),
  };
}

// fanotify's edge to the core (kernel/): FAN_* masks turned into the core's facts, so the shared
// target logic never sees a FAN_* bit. The marks themselves are instance.ts's business.
import { bitsByName, cachedTranslation, FACT, type BitMap, type Facts } from '../kernel/facts.js';
import { FAN } from './mask.js';

const REPORTED_BITS: BitMap = [...bitsByName(FAN), [FAN.ONDIR, FACT.IS_DIR]];
const reportedFacts = cachedTranslation(REPORTED_BITS);

/** The facts a fanotify event's mask (one step of `unmerge`) tells. */
export function factsOf(mask: number): Facts {
  return reportedFacts(mask);
}

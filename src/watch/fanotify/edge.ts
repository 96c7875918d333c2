// fanotify's edge to the core (kernel/): FAN_* masks turned into the core's facts, so the shared
// target logic never sees a FAN_* bit. The marks themselves are instance.ts's business.
import { FACT, translate, type BitMap, type Facts } from '../kernel/facts.js';
import { FAN } from './mask.js';

const REPORTED_BITS: BitMap = [
  [FAN.CREATE, FACT.CREATE],
  [FAN.DELETE, FACT.DELETE],
  [FAN.MOVED_FROM, FACT.MOVED_FROM],
  [FAN.MOVED_TO, FACT.MOVED_TO],
  [FAN.DELETE_SELF, FACT.DELETE_SELF],
  [FAN.MOVE_SELF, FACT.MOVE_SELF],
  [FAN.MODIFY, FACT.MODIFY],
  [FAN.ATTRIB, FACT.ATTRIB],
  [FAN.CLOSE_WRITE, FACT.CLOSE_WRITE],
  [FAN.CLOSE_NOWRITE, FACT.CLOSE_NOWRITE],
  [FAN.OPEN, FACT.OPEN],
  [FAN.ACCESS, FACT.ACCESS],
  [FAN.ONDIR, FACT.IS_DIR],
];

/** The facts a fanotify event's mask (one step of `unmerge`) tells. */
export function factsOf(mask: number): Facts {
  return translate(mask, REPORTED_BITS);
}

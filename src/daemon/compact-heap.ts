// One full garbage collection with compaction, asked for once the start's walks are done: the
// walk's garbage grew V8's old space, and without a collection an idle daemon keeps those pages
// committed for good (20,000 folders: ≈ 13 MiB of RSS). Events meanwhile wait in the kernel's queue.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let collect: (() => void) | null = null;

/** Runs a full collection (V8's `gc`, exposed once to a throwaway context: not to our globals). */
export function compactHeap(): void {
  if (collect === null) {
    setFlagsFromString('--expose-gc');
    collect = runInNewContext('gc') as () => void;
  }
  collect();
}

/** The catch-up's first pictures are written within 2 s of its entries' arrival (keeper.ts). */
const AFTER_CATCH_UP_MS = 3_000;

/** Once the start's walks are done: a collection now, and one after the catch-up's first writes. */
export function compactAfterStart(): void {
  compactHeap();
  setTimeout(compactHeap, AFTER_CATCH_UP_MS).unref();
}

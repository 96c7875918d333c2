// Watches the watchtab itself: the main file (through its parent folder, so saves by rename,
// deletion and re-creation are seen) and the drop-in folder. Changes are settled briefly, then one
// reload is asked for; a burst of writes by an editor becomes one reload, and a storm of writes
// still reloads at least every MAX_WAIT_MS (a change is in force within 1 s of its write).
import { basename, dirname } from 'node:path';
import type { Armed, WatchBackend } from '../watch/backend.js';
import { STAR_EVENTS } from '../watchtab/entry.js';
import { isDropInName } from '../watchtab/load.js';

/** Long enough to fold an editor's write-rename-chmod sequence, short enough for the 1 s promise. */
export const SETTLE_MS = 150;

/** The longest a change waits for the writes after it to settle: each write restarts SETTLE_MS, not this. */
export const MAX_WAIT_MS = 400;

export interface WatchtabWatcher {
  close(): Promise<void>;
}

export async function watchWatchtab(
  backend: WatchBackend,
  mainFile: string,
  dropInFolder: string,
  onChange: () => void,
): Promise<WatchtabWatcher> {
  let timer: NodeJS.Timeout | null = null;
  /** When the first change not yet reloaded was seen (monotonic ms); null when none waits. */
  let firstAt: number | null = null;
  const fire = (): void => {
    timer = null;
    firstAt = null;
    onChange();
  };
  const changed = (): void => {
    const now = performance.now();
    firstAt ??= now;
    if (timer !== null) clearTimeout(timer);
    timer = setTimeout(fire, Math.max(0, Math.min(SETTLE_MS, firstAt + MAX_WAIT_MS - now)));
  };
  const common = { exclude: [], events: STAR_EVENTS, contentOnly: false, pollIntervalMs: 1000 };
  const armed: Armed[] = [];
  armed.push(
    await backend.arm(
      { id: `watchtab:${mainFile}`, path: { kind: 'exact', path: mainFile }, ...common },
      changed,
    ),
  );
  armed.push(
    await backend.arm(
      { id: `watchtab:${dropInFolder}`, path: { kind: 'exact', path: dropInFolder }, ...common },
      (event) => {
        // Editors leave swap and backup files beside the drop-ins; only files the loader reads
        // (and the folder itself) matter.
        const isFolder = event.path === dropInFolder;
        const isDropIn = dirname(event.path) === dropInFolder && isDropInName(basename(event.path));
        const wasDropIn = event.oldPath !== undefined && isDropInName(basename(event.oldPath));
        if (isFolder || isDropIn || wasDropIn) changed();
      },
    ),
  );
  return {
    async close() {
      if (timer !== null) clearTimeout(timer);
      await Promise.all(armed.map((a) => a.disarm()));
    },
  };
}

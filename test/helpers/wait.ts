// Waiting for facts, never for time: poll a probe until a predicate holds or a deadline passes.
import { setTimeout as sleep } from 'node:timers/promises';

export interface WaitOptions {
  readonly withinMs: number;
  readonly everyMs?: number;
  readonly what?: string;
}

/** Resolves with the first probed value that satisfies `until`; rejects with the last value at the deadline. */
export async function waitFor<T>(
  probe: () => T | Promise<T>,
  until: (value: T) => boolean,
  options: WaitOptions,
): Promise<T> {
  const deadline = Date.now() + options.withinMs;
  let last: T | undefined;
  for (;;) {
    try {
      last = await probe();
      if (until(last)) return last;
    } catch {
      // The probe may fail until the fact exists (a file not yet written); keep trying.
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${options.withinMs} ms waiting for ${options.what ?? 'a condition'}; last value: ${JSON.stringify(last)}`,
      );
    }
    await sleep(options.everyMs ?? 20);
  }
}

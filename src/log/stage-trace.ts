// Timestamps of the steps from a kernel event to a started command, for the latency benchmark
// (bench/latency-stages.ts). Off unless WATCHTAB_TRACE_STAGES names a file when the daemon starts:
// then each step keeps CLOCK_MONOTONIC nanoseconds in memory and the file is written once, at exit.
// Nothing is written on the way to a command, so the trace does not change the path it measures.
import { writeFileSync } from 'node:fs';

/**
 * The steps the daemon stamps, in the order they happen for one event; `hold` and `held` (detail
 * `closed` or `bound`) only when a fold waits for a writer's close (run/slot.ts).
 */
export type Stage = 'read' | 'slot' | 'hold' | 'held' | 'spawn-call' | 'spawn-return';

const file = process.env['WATCHTAB_TRACE_STAGES'] ?? '';
const stamps: string[] = [];

if (file !== '') {
  process.on('exit', () => writeFileSync(file, stamps.join('')));
}

/** Records `stage` now (with an optional detail, e.g. a pid); a no-op unless the trace is on. */
export function traceStage(stage: Stage, detail: string | number = ''): void {
  if (file === '') return;
  stamps.push(`${stage} ${process.hrtime.bigint()} ${detail}\n`);
}

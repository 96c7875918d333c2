// Shared by the back-end tests: arm a target and record its events, wait for an event by fact.
import type { TestContext } from 'node:test';
import { readFileSync, readdirSync } from 'node:fs';
import type { Armed, WatchBackend, WatchEvent, WatchTarget } from '../../src/watch/backend.js';
import { STAR_EVENTS, type EventName, type PathSpec } from '../../src/watchtab/entry.js';
import { waitFor } from '../helpers/wait.js';

export type MakeBackend = (t: TestContext) => WatchBackend | Promise<WatchBackend>;

export interface Recorder {
  readonly events: WatchEvent[];
  readonly armed: Armed;
  /** Waits until an event satisfying `match` was recorded; returns it. */
  until(match: (e: WatchEvent) => boolean, what: string, withinMs?: number): Promise<WatchEvent>;
  /** Lines `event path[ <- oldPath]`, for readable assertions. */
  lines(): string[];
}

export interface TargetOptions {
  readonly id?: string;
  readonly events?: readonly EventName[];
  readonly exclude?: readonly string[];
  readonly contentOnly?: boolean;
}

export function target(path: PathSpec, options: TargetOptions = {}): WatchTarget {
  return {
    id: options.id ?? 'test',
    path,
    exclude: options.exclude ?? [],
    events: options.events ?? STAR_EVENTS,
    contentOnly: options.contentOnly ?? false,
    pollIntervalMs: 100,
  };
}

export async function record(backend: WatchBackend, watchTarget: WatchTarget): Promise<Recorder> {
  const events: WatchEvent[] = [];
  const armed = await backend.arm(watchTarget, (e) => events.push(e));
  const show = (e: WatchEvent) => `${e.event} ${e.path}${e.oldPath === undefined ? '' : ` <- ${e.oldPath}`}`;
  return {
    events,
    armed,
    lines: () => events.map(show),
    async until(match, what, withinMs = 5000) {
      const found = await waitFor(
        () => events.find(match),
        (e) => e !== undefined,
        { withinMs, what: `${what}; seen: ${events.map(show).join(' | ')}` },
      );
      return found as WatchEvent;
    },
  };
}

export const is =
  (event: EventName, path: string) =>
  (e: WatchEvent): boolean =>
    e.event === event && e.path === path;

/** Kernel inotify watches this process holds now, counted from /proc/self/fdinfo. */
export function inotifyWatchCount(): number {
  let count = 0;
  for (const fd of readdirSync('/proc/self/fdinfo')) {
    let text: string;
    try {
      text = readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n')) if (line.startsWith('inotify wd:')) count++;
  }
  return count;
}

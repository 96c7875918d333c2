// Entries and slots for runner tests: an Entry with sensible defaults, a slot with a memory logger
// that is always stopped when the test ends, and probes on what the slot logged.
import type { TestContext } from 'node:test';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createMemoryLogger, type LogRecord } from '../../src/log/logger.js';
import * as msg from '../../src/log/messages/run.js';
import { createSlot, type RunnerDeps, type Slot } from '../../src/run/slot.js';
import { DEFAULT_RUN_LIMIT, type Entry } from '../../src/watchtab/entry.js';
import { waitFor } from '../helpers/wait.js';

export function makeEntry(
  overrides: Partial<Entry> & { readonly command: string; readonly dir: string },
): Entry {
  const { dir, ...rest } = overrides;
  return {
    name: 'test-entry',
    source: { file: '/etc/watchtab', line: 1 },
    paths: [{ kind: 'exact', path: dir }],
    exclude: [],
    events: ['close_write'],
    delayMs: 0,
    settleMs: 0,
    maxWaitMs: 60_000,
    stdin: 'none',
    catchUp: true,
    runAs: null,
    chroot: null,
    cwd: null,
    onBusy: 'queue',
    timeoutMs: null,
    graceMs: 2000,
    env: {},
    contentOnly: false,
    ignoreOwnChanges: false,
    backend: null,
    pollIntervalMs: null,
    runLimit: { burst: 1000, intervalMs: DEFAULT_RUN_LIMIT.intervalMs },
    ...rest,
  };
}

export type MemoryLogger = ReturnType<typeof createMemoryLogger>;

/** A slot that is stopped (SIGKILL after 100 ms at most) when the test ends, whatever happened. */
export function slotFor(
  t: TestContext,
  entry: Entry,
  deps: Partial<RunnerDeps> = {},
): { slot: Slot; log: MemoryLogger } {
  const log = createMemoryLogger('debug');
  const slot = createSlot(entry, { logger: log, isRoot: process.getuid?.() === 0, ...deps });
  t.after(() => slot.stop(100));
  return { slot, log };
}

export function records(log: MemoryLogger, message: string | ((m: string) => boolean)): LogRecord[] {
  return log.records.filter((r) =>
    typeof message === 'string' ? r.message === message : message(r.message),
  );
}

export function outputLines(log: MemoryLogger, stream = 'stdout'): string[] {
  return records(log, msg.OUTPUT)
    .filter((r) => r.fields['stream'] === stream)
    .map((r) => String(r.fields['line']));
}

/** Run-end records (successes, failures and quiet repeats). */
export function endings(log: MemoryLogger): LogRecord[] {
  return records(log, (m) => m.startsWith('run ended: ') || m.startsWith('run failed'));
}

export async function waitForEndings(log: MemoryLogger, n: number, withinMs = 10_000): Promise<LogRecord[]> {
  return waitFor(
    () => endings(log),
    (e) => e.length >= n,
    { withinMs, what: `${n} run endings` },
  );
}

export async function readLines(path: string): Promise<string[]> {
  const text = await readFile(path, 'utf8');
  return text.split('\n').filter((l) => l !== '');
}

/** True while a process lives: a zombie waiting for its new parent to reap it is dead. */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

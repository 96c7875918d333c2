// The daemon's table: which entries are in force, built file by file. A file that loads cleanly
// gives its new entries; a file with problems, or refused by the ownership rule, keeps the entries
// it had (none at start-up) — so a broken edit never takes working rules away.
import type { Entry } from '../watchtab/entry.js';

/** The outcome of reading one watchtab file, as the daemon uses it. */
export type FileOutcome =
  | { readonly kind: 'loaded'; readonly file: string; readonly entries: readonly Entry[] }
  | { readonly kind: 'missing'; readonly file: string }
  | { readonly kind: 'broken'; readonly file: string; readonly problemCount: number }
  | { readonly kind: 'refused'; readonly file: string; readonly reason: string };

/** Entries in force, by the file they came from (in load order). */
export type FileTable = ReadonlyMap<string, readonly Entry[]>;

export interface Conflict {
  readonly name: string;
  readonly file: string;
  readonly keptFrom: string;
}

/** Applies one load's outcomes to the previous table: clean files replace, broken ones keep theirs. */
export function nextFileTable(previous: FileTable, outcomes: readonly FileOutcome[]): FileTable {
  const next = new Map<string, readonly Entry[]>();
  for (const outcome of outcomes) {
    switch (outcome.kind) {
      case 'loaded':
        next.set(outcome.file, outcome.entries);
        break;
      case 'missing':
        break;
      case 'broken':
      case 'refused':
        // A refused drop-in folder hides its files from the loader: they keep theirs too.
        for (const [file, entries] of previous) {
          if (file === outcome.file || file.startsWith(`${outcome.file}/`)) next.set(file, entries);
        }
        break;
    }
  }
  return next;
}

/**
 * The entries in force, by name. Each file's entries were checked for duplicates when it was read,
 * but a file that kept its old entries may now clash with another's new ones: the first file in
 * load order wins, and the clash is reported.
 */
export function entriesByName(table: FileTable): { entries: Map<string, Entry>; conflicts: Conflict[] } {
  const entries = new Map<string, Entry>();
  const conflicts: Conflict[] = [];
  for (const [file, list] of table) {
    for (const entry of list) {
      const holder = entries.get(entry.name);
      if (holder === undefined) entries.set(entry.name, entry);
      else conflicts.push({ name: entry.name, file, keptFrom: holder.source.file });
    }
  }
  return { entries, conflicts };
}

export interface ReloadPlan {
  readonly added: readonly Entry[];
  readonly removed: readonly Entry[];
  /** Same name, different definition: the entry's slot takes the new one (see live-entries.ts). */
  readonly changed: readonly { readonly before: Entry; readonly after: Entry }[];
  readonly kept: readonly Entry[];
}

// The definition is everything but where it was written: moving an entry down a line (with an
// explicit name) is not a change, and must not restart its process.
function definitionKey(entry: Entry): string {
  const { source: _source, ...definition } = entry;
  return JSON.stringify(definition, (_key, value: unknown) => (value === Infinity ? 'Infinity' : value));
}

/** What a reload must do to go from `current` to `next`. Pure: the daemon carries it out. */
export function diffTables(
  current: ReadonlyMap<string, Entry>,
  next: ReadonlyMap<string, Entry>,
): ReloadPlan {
  const added: Entry[] = [];
  const removed: Entry[] = [];
  const changed: { before: Entry; after: Entry }[] = [];
  const kept: Entry[] = [];
  for (const [name, after] of next) {
    const before = current.get(name);
    if (before === undefined) added.push(after);
    // The same object: a file the loader did not need to read again.
    else if (before === after || definitionKey(before) === definitionKey(after)) kept.push(before);
    else changed.push({ before, after });
  }
  for (const [name, before] of current) {
    if (!next.has(name)) removed.push(before);
  }
  return { added, removed, changed, kept };
}

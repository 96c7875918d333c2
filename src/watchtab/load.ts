// Reads a watchtab: the main file, then `*.tab`, `*.yaml`, `*.yml` in FILE.d/ in name order. The only
// module of watchtab/ that does I/O. Guarantees: a file with any problem contributes no entries (the
// daemon keeps that file's previous ones); as root, a file or drop-in folder not owned by root or
// writable by group or others is refused, as cron does; a missing main file is not a problem here.
// A file is read through one descriptor, at most MAX_WATCHTAB_BYTES of it, and must be UTF-8; two
// names for one file (a drop-in that links to the main file) are read once.
import { constants, type Stats } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { watchtabMessages as msg } from '../log/messages/watchtab.js';
import { errnoCode } from '../system/errno.js';
import type { Entry, SourcePlace } from './entry.js';
import { parseClassic } from './classic.js';
import { isError, problemAt, type Place, type Problem } from './problem.js';
import { resolveRunAs, type ResolveCache, type UserResolver } from './run-as.js';
import { validateEntry, type Draft, type RawEntry } from './validate.js';
import { isYaml } from './yaml-detect.js';
import {
  identityOf,
  isSettled,
  reusable,
  type FileIdentity,
  type FileMemo,
  type MemoEntry,
} from './load-memo.js';
import { mapInOrder } from './map-in-order.js';

export interface LoadOptions {
  /** The reader runs as root: apply the ownership rule, and allow any `user`. */
  readonly isRoot: boolean;
  readonly resolver: UserResolver;
  /** The previous load's `memo`: files whose identity did not change are not read again. */
  readonly previous?: FileMemo;
  /** Wall-clock milliseconds, to tell a read racing a change (see load-memo.ts); `Date.now` by default. */
  readonly now?: () => number;
}

export interface FileResult {
  /** As given (the main file), or the main file's name + `.d/` + the drop-in's name. */
  readonly file: string;
  readonly exists: boolean;
  /** Why the ownership rule refused the file (or the drop-in folder), with the fix; null when not refused. */
  readonly refused: string | null;
  /** Empty when there is any problem. */
  readonly entries: readonly Entry[];
  /** Errors: any one leaves the file out. */
  readonly problems: readonly Problem[];
  /** Shown by `check`, the file stays valid (chroot without user, a second name for a file). */
  readonly warnings: readonly Problem[];
}

/** The largest watchtab file read (4 MiB): far above any real table, far below what hurts the daemon. */
export const MAX_WATCHTAB_BYTES = 4 * 1024 * 1024;

export interface LoadResult {
  /** The main file first, then FILE.d/ (the folder itself only when refused or unreadable), then its files in name order. */
  readonly files: readonly FileResult[];
  /** This load's clean files, to pass as `previous` to the next. */
  readonly memo: FileMemo;
}

/** Drop-in files read at once (open file descriptors held by the loader at most). */
const READ_CONCURRENCY = 16;

export function dropInFolder(mainFile: string): string {
  return `${mainFile}.d`;
}

/** Drop-in file names that are read: `*.tab`, `*.yaml`, `*.yml`, not hidden (editors' lock files). */
export function isDropInName(name: string): boolean {
  return !name.startsWith('.') && /\.(tab|ya?ml)$/.test(name);
}

export async function loadWatchtab(mainFile: string, options: LoadOptions): Promise<LoadResult> {
  const { isRoot, previous, now = Date.now } = options;
  const readAtMs = now();
  // The main file and the drop-in folder are read at once: each is a few round trips of its own.
  const [mainText, dropIns] = await Promise.all([
    readWatchtabFile(mainFile, isRoot, previous),
    readDropIns(dropInFolder(mainFile), isRoot, previous),
  ]);
  const texts = [mainText, ...dropIns];
  const context: LoadContext = { options, cache: new Map(), names: new Map() };
  const files: FileResult[] = [];
  const memo = new Map<string, MemoEntry>();
  const seen = new Map<string, string>();
  for (const read of texts) {
    const { file, exists, refused, text, problems, reused, identity } = read;
    // Two names for one file (a drop-in linked to the main file): its entries are loaded once.
    const key = identity === null ? null : `${identity.dev}:${identity.ino}`;
    const first = key === null ? undefined : seen.get(key);
    if (first !== undefined) {
      const warning = problemAt({ file, line: 0 }, 'W_SAME_FILE', msg.sameFile(first), { isWarning: true });
      files.push({ file, exists, refused: null, entries: [], problems: [], warnings: [warning] });
      continue;
    }
    if (key !== null) seen.set(key, file);
    // An unchanged file's entries are reused only if no earlier file has taken one of their names.
    const result =
      reused !== undefined && claimNames(reused.result, context)
        ? reused.result
        : text === null
          ? { file, exists, refused, entries: [], problems, warnings: [] }
          : await readEntriesSafely(file, text, context);
    files.push(result);
    const kept = memoEntry(read, result, readAtMs);
    if (kept !== null) memo.set(file, kept);
  }
  return { files, memo };
}

function claimNames(result: FileResult, context: LoadContext): boolean {
  if (result.entries.some((e) => context.names.has(e.name))) return false;
  for (const e of result.entries) context.names.set(e.name, e.source);
  return true;
}

/** What the next load may reuse of this file: a clean result of a read that no later change can hide. */
function memoEntry(read: FileText, result: FileResult, readAtMs: number): MemoEntry | null {
  if (read.reused?.result === result) return read.reused;
  const { text, identity } = read;
  if (text === null || identity === null) return null;
  if (result.problems.length > 0 || !isSettled(identity, readAtMs)) return null;
  return { identity, text, result };
}

/** What one load shares between its files: resolved accounts, and the names already used. */
interface LoadContext {
  readonly options: LoadOptions;
  readonly cache: ResolveCache;
  readonly names: Map<string, SourcePlace>;
}

/**
 * readEntries, where an exception no input should cause (a parser's own limit or bug) becomes a
 * problem of that file: no text can make the loader throw, so a reload never takes the daemon down.
 */
async function readEntriesSafely(file: string, text: FileContent, context: LoadContext): Promise<FileResult> {
  try {
    return await readEntries(file, text, context);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    const problem = problemAt({ file, line: 0 }, 'E_SYNTAX', msg.unexpectedParseError(detail));
    return { file, exists: true, refused: null, entries: [], problems: [problem], warnings: [] };
  }
}

/** Parses, validates and resolves one file's entries; any problem empties `entries`. */
async function readEntries(file: string, content: FileContent, context: LoadContext): Promise<FileResult> {
  const { text, badLines } = content;
  // The YAML parser is loaded only when a watchtab is YAML: a classic table never pays for it.
  const parsed = isYaml(file, text)
    ? (await import('./yaml.js')).parseYaml(text, file)
    : parseClassic(text, file);
  const problems: Problem[] = [...parsed.problems, ...encodingProblems(file, parsed.entries, badLines)];
  const entries: Entry[] = [];
  const watchtabDir = dirname(resolve(file));
  for (const raw of parsed.entries) {
    const { draft, problems: found } = validateEntry(raw, { watchtabDir });
    problems.push(...found);
    if (draft === null) continue;
    const { name } = draft.entry;
    const first = context.names.get(name);
    if (first !== undefined) {
      const message = msg.duplicateName(name, first.file, first.line);
      problems.push(problemAt(raw.place, 'E_NAME_DUPLICATE', message, { key: 'name', found: name }));
      continue;
    }
    context.names.set(name, draft.entry.source);
    const entry = await withRunAs(draft, context, problems);
    if (entry !== null) entries.push(entry);
  }
  problems.sort((a, b) => a.line - b.line || (a.column ?? 0) - (b.column ?? 0));
  const errors = problems.filter(isError);
  const warnings = problems.filter((p) => !isError(p));
  return {
    file,
    exists: true,
    refused: null,
    entries: errors.length > 0 ? [] : entries,
    problems: errors,
    warnings,
  };
}

/**
 * A problem for each line that is not UTF-8, named by the key of the field written there when
 * there is one (the decoder put U+FFFD in its value), else by the line alone.
 */
function encodingProblems(file: string, raws: readonly RawEntry[], badLines: ReadonlySet<number>): Problem[] {
  if (badLines.size === 0) return [];
  const problems: Problem[] = [];
  const named = new Set<number>();
  const name = (place: Place, key: string, value: unknown): void => {
    if (!badLines.has(place.line) || named.has(place.line) || !JSON.stringify(value ?? '').includes('\uFFFD'))
      return;
    named.add(place.line);
    problems.push(problemAt(place, 'E_ENCODING', msg.notUtf8(), { key }));
  };
  for (const raw of raws) {
    for (const [key, field] of raw.fields) {
      // A list's items may each be on a line of their own (a path list): name the item.
      const { value, itemPlaces } = field;
      if (Array.isArray(value) && itemPlaces !== undefined) {
        const items: readonly unknown[] = value;
        itemPlaces.forEach((place, i) => name(place, `${key}[${i}]`, items[i]));
      }
      name(field.place, key, field.value);
    }
  }
  for (const line of badLines)
    if (!named.has(line)) problems.push(problemAt({ file, line }, 'E_ENCODING', msg.notUtf8()));
  return problems;
}

async function withRunAs(draft: Draft, context: LoadContext, problems: Problem[]): Promise<Entry | null> {
  if (draft.user === null) return { ...draft.entry, runAs: null };
  const { resolver, isRoot } = context.options;
  const self = { uid: process.geteuid?.() ?? 0, gid: process.getegid?.() ?? 0 };
  const result = await resolveRunAs(draft.user, { resolver, isRoot, self, cache: context.cache });
  if ('code' in result) {
    problems.push(result);
    return null;
  }
  return { ...draft.entry, runAs: result };
}

/** A file's text, and the lines (1-based) whose bytes were not UTF-8 (decoded as U+FFFD). */
export interface FileContent {
  readonly text: string;
  readonly badLines: ReadonlySet<number>;
}

/** One file's text, or why there is none. */
interface FileText {
  readonly file: string;
  readonly exists: boolean;
  readonly refused: string | null;
  readonly text: FileContent | null;
  readonly problems: readonly Problem[];
  /** The identity of the file read (by fstat on the open file); null when nothing was read. */
  readonly identity: FileIdentity | null;
  /** The previous load's text and result, when the file's identity has not changed since. */
  readonly reused?: MemoEntry;
}

function refusal(file: string, st: Stats, isRoot: boolean): string | null {
  if (!isRoot) return null;
  const reasons: string[] = [];
  if (st.uid !== 0) reasons.push(msg.refusedOwner(file, st.uid));
  if ((st.mode & 0o022) !== 0) reasons.push(msg.refusedMode(file, st.mode));
  return reasons.length > 0 ? reasons.join('; ') : null;
}

async function readWatchtabFile(file: string, isRoot: boolean, previous?: FileMemo): Promise<FileText> {
  if (previous !== undefined) {
    // One stat instead of open, fstat, read and parse: the identity covers owner and mode too.
    const kept = await stat(file).then(
      (st) => reusable(previous, file, st),
      () => null,
    );
    if (kept !== null)
      return {
        file,
        exists: true,
        refused: null,
        text: kept.text,
        problems: [],
        identity: kept.identity,
        reused: kept,
      };
  }
  const fail = (problem: Problem): FileText => ({
    file,
    exists: true,
    refused: null,
    text: null,
    problems: [problem],
    identity: null,
  });
  let handle;
  try {
    // O_NONBLOCK: a FIFO named like a watchtab must not hang the reader; it is refused below.
    handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'ENOENT')
      return { file, exists: false, refused: null, text: null, problems: [], identity: null };
    return fail(problemAt({ file, line: 0 }, 'E_READ', msg.cannotRead(code)));
  }
  try {
    // fstat on the open file: what is checked is what is read.
    const st = await handle.stat();
    if (!st.isFile()) return fail(problemAt({ file, line: 0 }, 'E_NOT_FILE', msg.notRegularFile()));
    const refused = refusal(file, st, isRoot);
    const identity = identityOf(st);
    if (refused !== null) return { file, exists: true, refused, text: null, problems: [], identity };
    const tooBig = (bytes: number): FileText =>
      fail(problemAt({ file, line: 0 }, 'E_TOO_BIG', msg.fileTooBig(bytes, MAX_WATCHTAB_BYTES)));
    if (st.size > MAX_WATCHTAB_BYTES) return tooBig(st.size);
    // Bounded whatever the file does after the fstat (it may grow): one byte more tells.
    const buffer = Buffer.alloc(MAX_WATCHTAB_BYTES + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length > MAX_WATCHTAB_BYTES) return tooBig(length);
    }
    const text = decodeUtf8(buffer.subarray(0, length));
    return { file, exists: true, refused: null, text, problems: [], identity };
  } catch (error) {
    return fail(problemAt({ file, line: 0 }, 'E_READ', msg.cannotRead(errnoCode(error))));
  } finally {
    await handle.close();
  }
}

async function readDropIns(folder: string, isRoot: boolean, previous?: FileMemo): Promise<FileText[]> {
  const fail = (problem: Problem): FileText[] => [
    { file: folder, exists: true, refused: null, text: null, problems: [problem], identity: null },
  ];
  let names: string[];
  try {
    const st = await stat(folder);
    if (!st.isDirectory()) return fail(problemAt({ file: folder, line: 0 }, 'E_NOT_FILE', msg.notFolder()));
    const refused = refusal(folder, st, isRoot);
    if (refused !== null)
      return [{ file: folder, exists: true, refused, text: null, problems: [], identity: null }];
    names = await readdir(folder);
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'ENOENT') return [];
    return fail(problemAt({ file: folder, line: 0 }, 'E_READ', msg.cannotRead(code)));
  }
  const files = names.filter(isDropInName).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  // A few reads at once: thousands of drop-ins one after the other wait on each round trip.
  const texts = await mapInOrder(files, READ_CONCURRENCY, (name) =>
    readWatchtabFile(`${folder}/${name}`, isRoot, previous),
  );
  return texts.filter((t) => t.exists);
}

/** A UTF-8 byte-order mark some editors write is not part of the first line. */
function stripBom(text: string): string {
  return text.startsWith('\uFEFF') ? text.slice(1) : text;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const lenientUtf8 = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

/** The text (invalid sequences as U+FFFD) and which lines held them, found line by line only when needed. */
function decodeUtf8(bytes: Buffer): FileContent {
  const text = stripBom(lenientUtf8.decode(bytes));
  try {
    strictUtf8.decode(bytes);
    return { text, badLines: new Set() };
  } catch {
    const badLines = new Set<number>();
    let line = 1;
    let start = 0;
    for (let end = 0; end <= bytes.length; end++) {
      if (end < bytes.length && bytes[end] !== 0x0a) continue;
      try {
        strictUtf8.decode(bytes.subarray(start, end));
      } catch {
        badLines.add(line);
      }
      line++;
      start = end + 1;
    }
    return { text, badLines };
  }
}

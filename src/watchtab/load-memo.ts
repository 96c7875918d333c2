// What one load of the watchtab leaves for the next: per file, its identity (device, inode, size,
// change and modification times) with the text read and the result made of it. A file whose
// identity is the same on the next load is not read or parsed again. Pure data; load.ts does the I/O.
import type { Stats } from 'node:fs';
import type { FileContent, FileResult } from './load.js';

/** What a file's identity is made of: the same values at the next load mean the same text. */
const IDENTITY_KEYS = ['dev', 'ino', 'size', 'mtimeMs', 'ctimeMs'] as const;

export type FileIdentity = { readonly [K in (typeof IDENTITY_KEYS)[number]]: number };

export interface MemoEntry {
  readonly identity: FileIdentity;
  readonly text: FileContent;
  readonly result: FileResult;
}

/** The previous load's clean files, by path; a file with problems is always read again. */
export type FileMemo = ReadonlyMap<string, MemoEntry>;

/**
 * A file changed in the same clock granule as its read could change again without its times
 * moving (file systems keep times in granules of up to 2 s): such a read is not remembered, and
 * the file is read again next time (as git treats a "racily clean" index entry).
 */
export const RACY_MARGIN_MS = 3000;

export function identityOf(st: Stats): FileIdentity {
  return { dev: st.dev, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs };
}

export function isSameIdentity(a: FileIdentity, b: FileIdentity): boolean {
  return IDENTITY_KEYS.every((key) => a[key] === b[key]);
}

/** Whether a read started at `readAtMs` of a file with `identity` may be trusted on the next load. */
export function isSettled(identity: FileIdentity, readAtMs: number): boolean {
  return Math.max(identity.ctimeMs, identity.mtimeMs) < readAtMs - RACY_MARGIN_MS;
}

/** The previous result for `file`, if its identity has not changed since it was read. */
export function reusable(memo: FileMemo | undefined, file: string, now: Stats): MemoEntry | null {
  const entry = memo?.get(file);
  return entry !== undefined && isSameIdentity(entry.identity, identityOf(now)) ? entry : null;
}

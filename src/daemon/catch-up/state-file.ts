// The catch-up state file of one entry: its key, then one line per path (sorted, each path written
// as the length it shares with the one before and the rest: a tree's paths share long prefixes),
// gzip-compressed. Decoding checks every field and the line count, so a torn or foreign file is
// an error (then the daemon knows nothing of that entry), never a wrong picture.
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import type { PathState, PathType } from '../../watch/path-state.js';
import { msgStateFile } from '../../log/messages/state.js';

const MAGIC = 'watchtab-catch-up 1';
/** Far above any honest file (about 90 bytes a path before compression), far below what would hurt. */
const MAX_TEXT_BYTES = 256 * 1024 * 1024;
const TYPE_CHARS: Record<PathType, string> = { file: 'f', dir: 'd', symlink: 'l', other: 'o' };
const TYPES_BY_CHAR = new Map(Object.entries(TYPE_CHARS).map(([type, c]) => [c, type as PathType]));
const HASH = /^[0-9a-f]{40}$/;

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

export interface KnownStates {
  /** The entry's catch-up key (name and watched paths): a file of another key is not its knowledge. */
  readonly key: string;
  readonly states: ReadonlyMap<string, PathState>;
}

/** The file is not one this daemon wrote whole; `reason` says what is wrong. */
export class StateFileError extends Error {}

/** A path in one line: `%`, tab, CR and LF escaped (names are anyone's, and may hold them). */
function escapePath(path: string): string {
  return path.replace(/[%\t\n\r]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

function unescapePath(text: string): string {
  return text.replace(/%(25|09|0a|0d)/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

function sharedLength(a: string, b: string): number {
  const max = Math.min(a.length, b.length);
  let n = 0;
  while (n < max && a.charCodeAt(n) === b.charCodeAt(n)) n += 1;
  // Never between the halves of a surrogate pair: the rest is written as UTF-8 on its own.
  const last = a.charCodeAt(n - 1);
  return n > 0 && last >= 0xd800 && last <= 0xdbff ? n - 1 : n;
}

function lineOf(path: string, previous: string, s: PathState): string {
  const shared = sharedLength(previous, path);
  const ctime = s.ctimeMs === s.mtimeMs ? '' : String(s.ctimeMs);
  const nlink = s.nlink === 1 ? '' : String(s.nlink);
  const fields = [shared, escapePath(path.slice(shared)), TYPE_CHARS[s.type], s.ino.toString(36)];
  return [...fields, s.size.toString(36), String(s.mtimeMs), ctime, nlink, s.hash ?? ''].join('\t');
}

/** The file's bytes for `states` (built on the main thread, compressed off it). */
export async function encodeKnown(known: KnownStates): Promise<Buffer> {
  const paths = [...known.states.keys()].sort();
  const lines = [`${MAGIC}\t${paths.length}`, escapePath(known.key)];
  let previous = '';
  for (const path of paths) {
    lines.push(lineOf(path, previous, known.states.get(path) as PathState));
    previous = path;
  }
  lines.push('');
  return gzipAsync(lines.join('\n'));
}

function integer(text: string, radix: number, what: string): number {
  const n = parseInt(text, radix);
  if (text === '' || !Number.isSafeInteger(n) || n < 0 || n.toString(radix) !== text)
    throw new StateFileError(`bad ${what} ${JSON.stringify(text.slice(0, 40))}`);
  return n;
}

function time(text: string, what: string): number {
  const n = Number(text);
  if (text === '' || !Number.isFinite(n)) throw new StateFileError(msgStateFile.badField(what));
  return n;
}

function stateOf(fields: string[]): PathState {
  const [, , t = '', ino = '', size = '', mtime = '', ctime = '', nlink = '', hash = ''] = fields;
  const type = TYPES_BY_CHAR.get(t);
  if (type === undefined) throw new StateFileError(msgStateFile.badType(t));
  if (hash !== '' && !HASH.test(hash)) throw new StateFileError(msgStateFile.badField('hash'));
  const mtimeMs = time(mtime, 'mtime');
  return {
    type,
    ino: integer(ino, 36, 'inode'),
    size: integer(size, 36, 'size'),
    mtimeMs,
    ctimeMs: ctime === '' ? mtimeMs : time(ctime, 'ctime'),
    nlink: nlink === '' ? 1 : integer(nlink, 10, 'link count'),
    hash: hash === '' ? null : hash,
  };
}

/** The knowledge in a file's bytes; throws StateFileError when they are not a whole file of ours. */
export async function decodeKnown(bytes: Buffer): Promise<KnownStates> {
  let text: string;
  try {
    text = (await gunzipAsync(bytes, { maxOutputLength: MAX_TEXT_BYTES })).toString('utf8');
  } catch (error) {
    throw new StateFileError(msgStateFile.notGzip(error instanceof Error ? error.message : ''));
  }
  const lines = text.split('\n');
  const [head = '', keyLine = ''] = lines;
  const [magic, countText = ''] = head.split('\t');
  if (magic !== MAGIC) throw new StateFileError(msgStateFile.notOurs());
  const count = integer(countText, 10, 'count');
  if (lines.length !== count + 3 || lines[lines.length - 1] !== '')
    throw new StateFileError(msgStateFile.countMismatch(count, Math.max(0, lines.length - 3)));
  const states = new Map<string, PathState>();
  let previous = '';
  for (let i = 2; i < count + 2; i++) {
    const fields = (lines[i] as string).split('\t');
    if (fields.length !== 9) throw new StateFileError(msgStateFile.fieldCount(i + 1, fields.length));
    const shared = integer(fields[0] as string, 10, 'prefix length');
    if (shared > previous.length) throw new StateFileError(msgStateFile.badPrefix(i + 1));
    const path = previous.slice(0, shared) + unescapePath(fields[1] as string);
    if (path <= previous) throw new StateFileError(msgStateFile.outOfOrder(i + 1));
    states.set(path, stateOf(fields));
    previous = path;
  }
  return { key: unescapePath(keyLine), states };
}

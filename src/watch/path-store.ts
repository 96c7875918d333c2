// The per-path state a kernel target keeps, stored compactly: one slot per path in growable typed
// arrays (inode, size, mtime, ctime as doubles, link count, type), the path → slot index a Map whose
// keys are the same strings the watch table already holds; content hashes in a side map, only for
// content-only targets. About 40 bytes a path besides the Map entry, against ~640 for an object
// per path. Reads build a PathState on demand; insertion order is the Map's (as before).
import type { PathState, PathType } from './path-state.js';

const TYPES: readonly PathType[] = ['file', 'dir', 'symlink', 'other'];
const TYPE_CODE: Readonly<Record<PathType, number>> = { file: 0, dir: 1, symlink: 2, other: 3 };
const INITIAL_SLOTS = 16;
/** A store this large and three quarters free is compacted: a tree emptied gives its memory back. */
const SHRINK_ABOVE_SLOTS = 1024;

export class PathStore implements ReadonlyMap<string, PathState> {
  private readonly slotOf = new Map<string, number>();
  private ino = new Float64Array(INITIAL_SLOTS);
  private size_ = new Float64Array(INITIAL_SLOTS);
  private mtimeMs = new Float64Array(INITIAL_SLOTS);
  private ctimeMs = new Float64Array(INITIAL_SLOTS);
  private nlink = new Uint32Array(INITIAL_SLOTS);
  private type = new Uint8Array(INITIAL_SLOTS);
  /** Slots freed by delete, reused first; `next` is the first never used. */
  private free: number[] = [];
  private next = 0;
  /** Content hashes by slot (content-only targets); null until the first is kept. */
  private hashes: Map<number, string> | null = null;

  constructor(entries?: Iterable<readonly [string, PathState]>) {
    if (entries !== undefined) for (const [path, state] of entries) this.set(path, state);
  }

  get size(): number {
    return this.slotOf.size;
  }

  has(path: string): boolean {
    return this.slotOf.has(path);
  }

  get(path: string): PathState | undefined {
    const slot = this.slotOf.get(path);
    return slot === undefined ? undefined : this.stateAt(slot);
  }

  /** The inode kept for `path`, without building a state (undefined when unknown). */
  inoOf(path: string): number | undefined {
    const slot = this.slotOf.get(path);
    return slot === undefined ? undefined : this.ino[slot];
  }

  /** The type kept for `path`, without building a state (undefined when unknown). */
  typeOf(path: string): PathType | undefined {
    const slot = this.slotOf.get(path);
    return slot === undefined ? undefined : TYPES[this.type[slot] ?? 3];
  }

  set(path: string, state: PathState): this {
    let slot = this.slotOf.get(path);
    if (slot === undefined) {
      slot = this.free.pop() ?? this.grow();
      this.slotOf.set(path, slot);
    }
    this.ino[slot] = state.ino;
    this.size_[slot] = state.size;
    this.mtimeMs[slot] = state.mtimeMs;
    this.ctimeMs[slot] = state.ctimeMs;
    this.nlink[slot] = state.nlink;
    this.type[slot] = TYPE_CODE[state.type];
    if (state.hash !== null) (this.hashes ??= new Map()).set(slot, state.hash);
    else this.hashes?.delete(slot);
    return this;
  }

  delete(path: string): boolean {
    const slot = this.slotOf.get(path);
    if (slot === undefined) return false;
    this.slotOf.delete(path);
    this.hashes?.delete(slot);
    this.free.push(slot);
    if (this.slotOf.size === 0) this.clear();
    else if (this.ino.length > SHRINK_ABOVE_SLOTS && this.slotOf.size * 4 < this.ino.length) this.compact();
    return true;
  }

  clear(): void {
    this.slotOf.clear();
    this.free = [];
    this.next = 0;
    this.hashes = null;
    if (this.ino.length > INITIAL_SLOTS) this.resize(INITIAL_SLOTS);
  }

  keys(): MapIterator<string> {
    return this.slotOf.keys();
  }

  *entries(): MapIterator<[string, PathState]> {
    for (const [path, slot] of this.slotOf) yield [path, this.stateAt(slot)];
    return undefined;
  }

  *values(): MapIterator<PathState> {
    for (const slot of this.slotOf.values()) yield this.stateAt(slot);
    return undefined;
  }

  [Symbol.iterator](): MapIterator<[string, PathState]> {
    return this.entries();
  }

  forEach(fn: (state: PathState, path: string, map: ReadonlyMap<string, PathState>) => void): void {
    for (const [path, slot] of this.slotOf) fn(this.stateAt(slot), path, this);
  }

  /** The paths whose kept inode is `ino` (the other names of a hard-linked file), no state built. */
  pathsWithIno(ino: number): string[] {
    const paths: string[] = [];
    for (const [path, slot] of this.slotOf) if (this.ino[slot] === ino) paths.push(path);
    return paths;
  }

  private stateAt(slot: number): PathState {
    return {
      type: TYPES[this.type[slot] ?? 3] ?? 'other',
      ino: this.ino[slot] ?? 0,
      size: this.size_[slot] ?? 0,
      mtimeMs: this.mtimeMs[slot] ?? 0,
      ctimeMs: this.ctimeMs[slot] ?? 0,
      nlink: this.nlink[slot] ?? 0,
      hash: this.hashes?.get(slot) ?? null,
    };
  }

  private grow(): number {
    if (this.next === this.ino.length) this.resize(this.ino.length * 2);
    return this.next++;
  }

  // Moves the live slots to the front, in the Map's order, and halves the arrays.
  private compact(): void {
    const slots = this.ino.length / 2;
    const old = { ino: this.ino, size: this.size_, mtimeMs: this.mtimeMs, ctimeMs: this.ctimeMs };
    const [nlink, type, hashes] = [this.nlink, this.type, this.hashes];
    this.ino = new Float64Array(slots);
    this.size_ = new Float64Array(slots);
    this.mtimeMs = new Float64Array(slots);
    this.ctimeMs = new Float64Array(slots);
    this.nlink = new Uint32Array(slots);
    this.type = new Uint8Array(slots);
    this.hashes = hashes === null ? null : new Map();
    let to = 0;
    for (const [path, from] of this.slotOf) {
      this.ino[to] = old.ino[from] ?? 0;
      this.size_[to] = old.size[from] ?? 0;
      this.mtimeMs[to] = old.mtimeMs[from] ?? 0;
      this.ctimeMs[to] = old.ctimeMs[from] ?? 0;
      this.nlink[to] = nlink[from] ?? 0;
      this.type[to] = type[from] ?? 3;
      const hash = hashes?.get(from);
      if (hash !== undefined) this.hashes?.set(to, hash);
      this.slotOf.set(path, to++); // an existing key: its place in the order stays
    }
    this.free = [];
    this.next = to;
  }

  private resize(slots: number): void {
    const copy = <T extends Float64Array | Uint32Array | Uint8Array>(from: T, to: T): T => {
      to.set(from.subarray(0, Math.min(from.length, slots)));
      return to;
    };
    this.ino = copy(this.ino, new Float64Array(slots));
    this.size_ = copy(this.size_, new Float64Array(slots));
    this.mtimeMs = copy(this.mtimeMs, new Float64Array(slots));
    this.ctimeMs = copy(this.ctimeMs, new Float64Array(slots));
    this.nlink = copy(this.nlink, new Uint32Array(slots));
    this.type = copy(this.type, new Uint8Array(slots));
  }
}

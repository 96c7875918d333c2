// The kernel watches of one inotify instance and who uses them: wd ↔ path, reference counted by
// user (a target), the kernel mask being the union of the users' masks. Several targets on one
// folder share one wd; the last release removes it. A folder moved within the tree is re-pathed
// with every watch below it. Meaning (events, scopes) is left to the targets.
import type { InotifyInstance } from '../inotify/instance.js';
import { IN } from '../inotify/mask.js';
import { isWithin } from '../../watchtab/path-pattern.js';

/** Whoever holds watches: a target. Only its identity matters here. */
export interface WatchUser {
  readonly id: string;
}

/** One user's view of a watch: the path it knows the folder by, and the events it asked for. */
export interface Subscription {
  path: string;
  mask: number;
}

export interface WatchRecord {
  readonly wd: number;
  /** The union of the subscriptions' masks, as the kernel has it. */
  mask: number;
  readonly subs: Map<WatchUser, Subscription>;
}

export class WatchTable {
  private readonly byWd = new Map<number, WatchRecord>();
  private readonly byPath = new Map<string, WatchRecord>();
  private readonly counts = new Map<WatchUser, number>();

  constructor(private readonly inotify: InotifyInstance) {}

  /** Kernel watches held now. */
  get size(): number {
    return this.byWd.size;
  }

  /** Watches `user` holds now. */
  countFor(user: WatchUser): number {
    return this.counts.get(user) ?? 0;
  }

  /** Every user and its count, most watches first (for the watch budget warning). */
  holders(): { id: string; watches: number }[] {
    return [...this.counts].map(([u, n]) => ({ id: u.id, watches: n })).sort((a, b) => b.watches - a.watches);
  }

  record(wd: number): WatchRecord | undefined {
    return this.byWd.get(wd);
  }

  isHeld(user: WatchUser, path: string): boolean {
    return this.byPath.get(path)?.subs.get(user)?.path === path;
  }

  /**
   * Watches `path` for `user` with `mask` added to what it had; returns the wd. Throws the
   * instance's SystemCallError (ENOENT, EACCES, ENOSPC...). IN_MASK_ADD keeps the other users'
   * events when the path is already watched, under this path or another (a symbolic link).
   * `via`, when given, is where the kernel reaches the folder (a checked descriptor's
   * /proc/self/fd/N, see scan.ts); `path` stays its name in the table.
   */
  acquire(user: WatchUser, path: string, mask: number, via?: string): number {
    const known = this.byPath.get(path);
    const sub = known?.subs.get(user);
    if (known !== undefined && sub !== undefined && (sub.mask | mask) === sub.mask) return known.wd;
    const wd = this.inotify.addWatch(via ?? path, (mask | IN.MASK_ADD) >>> 0, path);
    if (known !== undefined && known.wd !== wd) this.unindex(known, path); // replaced folder
    let rec = this.byWd.get(wd);
    if (rec === undefined) {
      rec = { wd, mask: 0, subs: new Map() };
      this.byWd.set(wd, rec);
    }
    rec.mask = (rec.mask | mask) >>> 0;
    const mine = rec.subs.get(user);
    if (mine === undefined) {
      rec.subs.set(user, { path, mask });
      this.counts.set(user, this.countFor(user) + 1);
    } else {
      const old = mine.path;
      mine.path = path;
      if (old !== path) this.unindex(rec, old);
      mine.mask = (mine.mask | mask) >>> 0;
    }
    this.byPath.set(path, rec);
    return wd;
  }

  /** Stops watching `path` for `user`; the kernel watch goes with its last user. */
  release(user: WatchUser, path: string): void {
    const rec = this.byPath.get(path);
    const sub = rec?.subs.get(user);
    if (rec === undefined || sub === undefined || sub.path !== path) return;
    this.dropSub(rec, user, sub);
    if (rec.subs.size === 0) {
      this.byWd.delete(rec.wd);
      this.inotify.removeWatch(rec.wd);
      return;
    }
    const union = [...rec.subs.values()].reduce((m, s) => m | s.mask, 0) >>> 0;
    if (union !== rec.mask) this.narrow(rec, path, union);
  }

  // Replaces the kernel mask by a narrower one, by path: never through a symbolic link planted
  // there since (IN_DONT_FOLLOW), and a path that names another folder now gets no watch. When
  // it fails, the wider mask stays: the events no user asked for are dropped by the targets.
  private narrow(rec: WatchRecord, path: string, union: number): void {
    let wd: number;
    try {
      wd = this.inotify.addWatch(path, (union | IN.DONT_FOLLOW) >>> 0);
    } catch {
      return;
    }
    if (wd === rec.wd) rec.mask = union;
    else if (!this.byWd.has(wd)) this.inotify.removeWatch(wd);
  }

  /** Releases every watch `user` holds. */
  releaseAll(user: WatchUser): void {
    for (const rec of [...this.byWd.values()]) {
      const sub = rec.subs.get(user);
      if (sub !== undefined) this.release(user, sub.path);
    }
  }

  /** The kernel dropped `wd` (IN_IGNORED): forget it; returns who used it, under which path. */
  forget(wd: number): [WatchUser, string][] {
    const rec = this.byWd.get(wd);
    if (rec === undefined) return [];
    this.byWd.delete(wd);
    const users: [WatchUser, string][] = [];
    for (const [user, sub] of [...rec.subs]) {
      users.push([user, sub.path]);
      this.dropSub(rec, user, sub);
    }
    return users;
  }

  /** A folder moved from `from` to `to`: every subscription at or below `from` is re-pathed. */
  repath(from: string, to: string): Set<WatchUser> {
    const users = new Set<WatchUser>();
    for (const rec of this.byWd.values()) {
      for (const [user, sub] of rec.subs) {
        if (!isWithin(sub.path, from)) continue;
        this.unindex(rec, sub.path);
        sub.path = to + sub.path.slice(from.length);
        this.byPath.set(sub.path, rec);
        users.add(user);
      }
    }
    return users;
  }

  /** Paths `user` watches at or below `dir`. */
  pathsWithin(user: WatchUser, dir: string): string[] {
    const paths: string[] = [];
    for (const rec of this.byWd.values()) {
      const sub = rec.subs.get(user);
      if (sub !== undefined && isWithin(sub.path, dir)) paths.push(sub.path);
    }
    return paths;
  }

  private dropSub(rec: WatchRecord, user: WatchUser, sub: Subscription): void {
    rec.subs.delete(user);
    this.counts.set(user, this.countFor(user) - 1);
    if (this.counts.get(user) === 0) this.counts.delete(user);
    this.unindex(rec, sub.path);
  }

  // Drops the path index entry when no other subscription of `rec` uses that path.
  private unindex(rec: WatchRecord, path: string): void {
    if (this.byPath.get(path) !== rec) return;
    for (const s of rec.subs.values()) if (s.path === path) return;
    this.byPath.delete(path);
  }
}

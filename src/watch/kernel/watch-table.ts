// The watches of one back-end and who uses them: handle ↔ path, reference counted by user (a
// target), a watch's interest being the union of its users'. Several targets on one folder share
// one watch; the last release removes it. A folder moved within the tree is re-pathed with every
// watch below it. Placing a watch is the back-end's (WatchKernel); meaning is the targets'.
import { PLACE, type Interest, type WatchHandle, type WatchKernel } from './facts.js';
import { isWithin } from '../../watchtab/path-pattern.js';
import { SmallMap } from './small-map.js';

/** Whoever holds watches: a target. Only its identity matters here. */
export interface WatchUser {
  readonly id: string;
}

/** One user's view of a watch: the path it knows the folder by, and what it asked for. */
export interface Subscription {
  path: string;
  interest: Interest;
}

export interface WatchRecord<U extends WatchUser> {
  readonly handle: WatchHandle;
  /** The union of the subscriptions' interests, as the back-end has it placed. */
  interest: Interest;
  /** Its users (one, almost always: see small-map.ts). */
  readonly subs: SmallMap<U, Subscription>;
  /**
   * How many users ask for each interest, once TALLY_FROM_USERS share the watch (10,000 file
   * entries in one folder): a release then finds the new union without visiting every user.
   */
  tally: Map<Interest, number> | null;
}

const TALLY_FROM_USERS = 8;

export class WatchTable<U extends WatchUser> {
  private readonly byHandle = new Map<WatchHandle, WatchRecord<U>>();
  private readonly byPath = new Map<string, WatchRecord<U>>();
  /** Each user's records: releaseAll and pathsWithin look at one target's watches, not all. */
  private readonly held = new Map<U, Set<WatchRecord<U>>>();

  constructor(private readonly kernel: WatchKernel) {}

  /** Kernel watches held now. */
  get size(): number {
    return this.byHandle.size;
  }

  /** Watches `user` holds now. */
  countFor(user: U): number {
    return this.held.get(user)?.size ?? 0;
  }

  /** Every user and its count, most watches first (for the watch budget warning). */
  holders(): { id: string; watches: number }[] {
    return [...this.held]
      .map(([u, recs]) => ({ id: u.id, watches: recs.size }))
      .sort((a, b) => b.watches - a.watches);
  }

  record(handle: WatchHandle): WatchRecord<U> | undefined {
    return this.byHandle.get(handle);
  }

  isHeld(user: U, path: string): boolean {
    return this.byPath.get(path)?.subs.get(user)?.path === path;
  }

  /**
   * Watches `path` for `user` with `interest` added to what it had; returns the handle. Throws the
   * back-end's SystemCallError (ENOENT, EACCES, ENOSPC...). Adding keeps the other users'
   * interest when the path is already watched, under this path or another (a symbolic link).
   * `via`, when given, is where the kernel reaches the folder (a checked descriptor's
   * /proc/self/fd/N, see scan.ts); `path` stays its name in the table; `identity`, the `dev:ino`
   * that descriptor was found to be (a back-end that books folders by inode needs no stat).
   */
  acquire(user: U, path: string, interest: Interest, via?: string, identity?: string): WatchHandle {
    const known = this.byPath.get(path);
    const sub = known?.subs.get(user);
    if (known !== undefined && sub !== undefined && (sub.interest | interest) === sub.interest)
      return known.handle;
    const how =
      identity === undefined ? { isAdded: true, shownAs: path } : { isAdded: true, shownAs: path, identity };
    const handle = this.kernel.watch(via ?? path, interest, how);
    if (known !== undefined && known.handle !== handle) this.unindex(known, path); // replaced folder
    let rec = this.byHandle.get(handle);
    if (rec === undefined) {
      rec = { handle, interest: 0, subs: new SmallMap(), tally: null };
      this.byHandle.set(handle, rec);
    }
    rec.interest = (rec.interest | interest) >>> 0;
    const mine = rec.subs.get(user);
    if (mine === undefined) {
      rec.subs.set(user, { path, interest });
      this.count(rec, interest, 1);
      let recs = this.held.get(user);
      if (recs === undefined) this.held.set(user, (recs = new Set()));
      recs.add(rec);
    } else {
      const old = mine.path;
      mine.path = path;
      if (old !== path) this.unindex(rec, old);
      this.count(rec, mine.interest, -1);
      mine.interest = (mine.interest | interest) >>> 0;
      this.count(rec, mine.interest, 1);
    }
    this.byPath.set(path, rec);
    return handle;
  }

  /** Stops watching `path` for `user`; the kernel watch goes with its last user. */
  release(user: U, path: string): void {
    const rec = this.byPath.get(path);
    const sub = rec?.subs.get(user);
    if (rec === undefined || sub === undefined || sub.path !== path) return;
    this.dropSub(rec, user, sub);
    if (rec.subs.size === 0) {
      this.byHandle.delete(rec.handle);
      this.kernel.unwatch(rec.handle);
      return;
    }
    const union = this.unionOf(rec);
    if (union !== rec.interest) this.narrow(rec, path, union);
  }

  // Replaces the placed interest by a narrower one, by path: never through a symbolic link planted
  // there since (NO_FOLLOW), and a path that names another folder now gets no watch. When it
  // fails, the wider interest stays: the events no user asked for are dropped by the targets.
  private narrow(rec: WatchRecord<U>, path: string, union: Interest): void {
    let handle: WatchHandle;
    try {
      handle = this.kernel.watch(path, (union | PLACE.NO_FOLLOW) >>> 0, { isAdded: false });
    } catch {
      return;
    }
    if (handle === rec.handle) rec.interest = union;
    else if (!this.byHandle.has(handle)) this.kernel.unwatch(handle);
  }

  /** Releases every watch `user` holds. */
  releaseAll(user: U): void {
    for (const rec of [...(this.held.get(user) ?? [])]) {
      const sub = rec.subs.get(user);
      if (sub !== undefined) this.release(user, sub.path);
    }
  }

  /** The watch is gone (inotify's IN_IGNORED): forget it; returns who used it, under which path. */
  forget(handle: WatchHandle): [U, string][] {
    const rec = this.byHandle.get(handle);
    if (rec === undefined) return [];
    this.byHandle.delete(handle);
    const users: [U, string][] = [];
    for (const [user, sub] of [...rec.subs]) {
      users.push([user, sub.path]);
      this.dropSub(rec, user, sub);
    }
    return users;
  }

  /** A folder moved from `from` to `to`: every subscription at or below `from` is re-pathed. */
  repath(from: string, to: string): Set<U> {
    const users = new Set<U>();
    for (const rec of this.byHandle.values()) {
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
  pathsWithin(user: U, dir: string): string[] {
    const paths: string[] = [];
    for (const rec of this.held.get(user) ?? []) {
      const sub = rec.subs.get(user);
      if (sub !== undefined && isWithin(sub.path, dir)) paths.push(sub.path);
    }
    return paths;
  }

  private unionOf(rec: WatchRecord<U>): Interest {
    let union = 0;
    if (rec.tally !== null) for (const interest of rec.tally.keys()) union |= interest;
    else for (const [, s] of rec.subs) union |= s.interest;
    return union >>> 0;
  }

  // Keeps the tally of a shared watch (made when its users reach TALLY_FROM_USERS) up to date.
  private count(rec: WatchRecord<U>, interest: Interest, by: 1 | -1): void {
    if (rec.tally === null) {
      if (rec.subs.size < TALLY_FROM_USERS) return;
      rec.tally = new Map();
      for (const [, s] of rec.subs) rec.tally.set(s.interest, (rec.tally.get(s.interest) ?? 0) + 1);
      if (by === 1) return; // the new user's subscription is already in subs
    }
    const n = (rec.tally.get(interest) ?? 0) + by;
    if (n > 0) rec.tally.set(interest, n);
    else rec.tally.delete(interest);
  }

  private dropSub(rec: WatchRecord<U>, user: U, sub: Subscription): void {
    this.count(rec, sub.interest, -1); // before the delete: a tally made now counts it, then drops it
    rec.subs.delete(user);
    const mine = this.held.get(user);
    mine?.delete(rec);
    if (mine?.size === 0) this.held.delete(user);
    this.unindex(rec, sub.path);
  }

  // Drops the path index entry when no other subscription of `rec` uses that path.
  private unindex(rec: WatchRecord<U>, path: string): void {
    if (this.byPath.get(path) !== rec) return;
    for (const s of rec.subs.values()) if (s.path === path) return;
    this.byPath.delete(path);
  }
}

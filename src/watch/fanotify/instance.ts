// One fanotify group: file-system marks for watch roots, and what the kernel reports, decoded,
// with paths resolved and filtered to the roots, batch by batch on the main thread. What the
// bits mean for entries (matching, per-path state, rescans) is left to the back-end.
//
// One mark per file system however large the tree: FAN_MARK_FILESYSTEM reports every change on
// the file system, so arming costs the same for 10 folders or 100,000, and events outside every
// root are dropped here, on whole path components. Two roots on one file system share its mark;
// it is removed with the last of them. The fd is polled by the inotify edge's shared poller
// (poll(2) off the main thread, one thread for every instance); close() leaves the poll, then
// closes the fds, so the process can exit.
import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import { errnoName } from '../../system/errno.js';
import { SystemCallError } from '../../errors.js';
import { msgFanotify as msg } from '../../log/messages/watch-fanotify.js';
import { systemMessages } from '../../log/messages/system.js';
import type { PollClient } from '../../system/poller.js';
import { PolledFd, startPolling } from '../../system/polled-fd.js';
import * as sys from './libc.js';
import { decodeFanotifyEvents, type FanotifyFid, type RawFanotifyEvent } from './decode.js';
import { FAN, FAN_INIT, FAN_MARK, FAN_REPORT_DFID_NAME, FAN_REPORT_DFID_NAME_TARGET } from './mask.js';
import { HandleCache, type HandleOpener } from './handles.js';
import { resolveEvent, type FanotifyEvent } from './resolve.js';
import { deliverToAll } from '../kernel/listeners.js';
import { traceStage } from '../../log/stage-trace.js';

export type { FanotifyEvent } from './resolve.js';
export type { RawFanotifyEvent } from './decode.js';

/**
 * How renames arrive. `rename`: one FAN_RENAME event with both places (Linux ≥ 5.17, asked for
 * first). `moves`: FAN_MOVED_FROM then FAN_MOVED_TO, paired here when adjacent with one child fid.
 */
export type RenameMode = 'rename' | 'moves';

export interface FanotifyOptions {
  /** Force a rename mode (tests); by default `rename`, or `moves` where the kernel refuses it. */
  readonly renameMode?: RenameMode;
  /** How handles become paths; open_by_handle_at by default. */
  readonly opener?: HandleOpener;
}

/** The kernel edge of the fanotify back-end: one group, its file-system marks, its events. */
export interface FanotifyInstance {
  readonly fd: number;
  readonly renameMode: RenameMode;
  /**
   * Reports changes at or under `path` (a folder): marks its file system for create, delete,
   * modify, close_write, attrib and renames, plus `extraMask` (read-side events, which every
   * root on that file system then gets). Throws SystemCallError with a hint.
   */
  markFilesystem(path: string, extraMask?: number): void;
  /** Stops reporting for `path`; the mark goes with the last root on its file system. */
  unmark(path: string): void;
  /** Kernel marks held: one per file system, whatever the number of roots on it. */
  markCount(): number;
  /** Called on the main thread with each batch read from the fd, in kernel order. */
  onEvents(listener: (events: readonly FanotifyEvent[]) => void): void;
  stats(): FanotifyStats;
  close(): Promise<void>;
}

export interface FanotifyStats {
  readonly cachedFolders: number;
  readonly cacheHits: number;
  readonly cacheMisses: number;
  /** Events dropped because their folder was gone before it could be resolved. */
  readonly lost: number;
  /** Events outside every root, dropped. */
  readonly outside: number;
}

const READ_BUFFER_BYTES = 64 * 1024;
/**
 * Reads per poll round. Each read is decoded, resolved and handed on synchronously (about a
 * thousand events for 64 KiB); between rounds the event loop serves everything else (the status
 * socket, runs, timers). Under a flood every round is full, so this bounds how long the loop is
 * held at a time; the round trip through poll(2) costs little next to a full read.
 */
const READS_PER_ROUND = 1;

const BASE_MARK_MASK = FAN.CREATE | FAN.DELETE | FAN.MODIFY | FAN.CLOSE_WRITE | FAN.ATTRIB | FAN.ONDIR;
const MARK_MASK: Record<RenameMode, number> = {
  rename: BASE_MARK_MASK | FAN.RENAME,
  moves: BASE_MARK_MASK | FAN.MOVED_FROM | FAN.MOVED_TO,
};
const INIT_FLAGS: Record<RenameMode, number> = {
  rename: FAN_REPORT_DFID_NAME_TARGET,
  moves: FAN_REPORT_DFID_NAME | FAN_INIT.REPORT_FID,
};

/** Opens a group (FAN_CLASS_NOTIF, non-blocking, close-on-exec, fids and names). Throws SystemCallError. */
export function openFanotify(options: FanotifyOptions = {}): FanotifyInstance {
  const modes: RenameMode[] = options.renameMode === undefined ? ['rename', 'moves'] : [options.renameMode];
  let errno = 0;
  for (const mode of modes) {
    const flags = FAN_INIT.CLASS_NOTIF | FAN_INIT.CLOEXEC | FAN_INIT.NONBLOCK | INIT_FLAGS[mode];
    const init = sys.fanotifyInit(flags, sys.O_LARGEFILE);
    if (init.value >= 0) {
      const instance = new Instance(init.value, mode, new HandleCache(options.opener));
      startPolling(instance);
      return instance;
    }
    errno = init.errno;
    if (errnoName(errno) !== 'EINVAL') break; // only an unknown flag is worth a second try
  }
  const name = errnoName(errno);
  throw new SystemCallError('fanotify_init', name, null, msg.initFailed(name));
}

/**
 * Whether fanotify can serve here: opens a group and marks the file system of `path` (default
 * "/"), since Linux 5.13 an unprivileged process may open a group but not mark a file
 * system; so this checks privileges, the kernel, and the file system's support for handles.
 */
export function probeFanotify(path = '/'): { ok: true } | { ok: false; reason: string } {
  let instance: FanotifyInstance | null = null;
  try {
    instance = openFanotify();
    instance.markFilesystem(path);
    return { ok: true };
  } catch (error) {
    if (error instanceof SystemCallError) return { ok: false, reason: error.message };
    throw error;
  } finally {
    void instance?.close();
  }
}

interface Mount {
  /** The top folder of the mount holding the roots (handles resolve to paths on it). */
  readonly point: string;
  readonly fd: number;
  refs: number;
}

interface Root {
  readonly path: string;
  readonly fsid: string;
  readonly mount: Mount;
}

class Instance implements FanotifyInstance, PollClient {
  private readonly polled = new PolledFd(this);
  private readonly listeners: ((events: readonly FanotifyEvent[]) => void)[] = [];
  private readonly readBuffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);
  private readonly rootsByPath = new Map<string, Root>();
  private readonly mounts = new Map<string, Mount>();
  /** The mask each marked file system has in the kernel. */
  private readonly marked = new Map<string, number>();
  private lost = 0;
  private outside = 0;

  constructor(
    readonly fd: number,
    readonly renameMode: RenameMode,
    private readonly cache: HandleCache,
  ) {}

  markFilesystem(path: string, extraMask = 0): void {
    this.assertOpen('fanotify_mark');
    const known = this.rootsByPath.get(path);
    if (known !== undefined) return this.widen(known, extraMask);
    assertFolder(path);
    const mount = this.acquireMount(path);
    try {
      const fsid = sys.fstatfsFsid(mount.fd);
      if (fsid.value === null) throw this.bug('fstatfs', fsid.errno, path);
      const root = { path, fsid: fsid.value, mount };
      this.widen(root, extraMask);
      this.rootsByPath.set(path, root);
    } catch (error) {
      this.releaseMount(mount);
      throw error;
    }
  }

  // Marks the root's file system, or adds events to its mark (FAN_MARK_ADD ORs the masks).
  private widen(root: Root, extraMask: number): void {
    const have = this.marked.get(root.fsid) ?? 0;
    const want = have | MARK_MASK[this.renameMode] | extraMask;
    if (want === have) return;
    this.mark(FAN_MARK.ADD, want, root.mount.fd, root.path);
    this.marked.set(root.fsid, want);
  }

  unmark(path: string): void {
    this.assertOpen('fanotify_mark');
    const root = this.rootsByPath.get(path);
    if (root === undefined) return;
    this.rootsByPath.delete(path);
    const mask = this.marked.get(root.fsid) ?? 0;
    if (!this.isMarked(root.fsid)) {
      // Through the mount's fd: the root itself may have been removed or moved since.
      this.mark(FAN_MARK.REMOVE, mask, root.mount.fd, path);
      this.marked.delete(root.fsid);
    }
    this.releaseMount(root.mount);
  }

  // One fd per mount, shared by the roots on it: handles are resolved once per mount.
  private acquireMount(path: string): Mount {
    const point = mountPointOf(path);
    const known = this.mounts.get(point);
    if (known !== undefined) {
      known.refs++;
      return known;
    }
    const mount = { point, fd: openMount(point, path), refs: 1 };
    this.mounts.set(point, mount);
    return mount;
  }

  private releaseMount(mount: Mount): void {
    if (--mount.refs > 0) return;
    this.mounts.delete(mount.point);
    this.cache.forgetMount(mount.fd);
    sys.close(mount.fd);
  }

  markCount(): number {
    return new Set([...this.rootsByPath.values()].map((r) => r.fsid)).size;
  }

  onEvents(listener: (events: readonly FanotifyEvent[]) => void): void {
    this.listeners.push(listener);
  }

  stats(): FanotifyStats {
    const { size, hits, misses } = this.cache;
    return {
      cachedFolders: size,
      cacheHits: hits,
      cacheMisses: misses,
      lost: this.lost,
      outside: this.outside,
    };
  }

  close(): Promise<void> {
    // Closing the group's fd drops every mark of the group with it.
    return this.polled.close(() => {
      for (const mount of this.mounts.values()) sys.close(mount.fd);
      this.mounts.clear();
      this.rootsByPath.clear();
    });
  }

  /** Called by the poller: reads until EAGAIN (or READS_PER_ROUND reads), one batch per read. */
  onReadable(): void {
    traceStage('read', this.fd);
    const errno = this.polled.drain(this.readBuffer, READS_PER_ROUND, (length) => {
      const events = this.resolve(decodeFanotifyEvents(this.readBuffer, length));
      if (events.length > 0) this.deliver(events);
    });
    if (errno !== null) throw this.bug('read', errno, null);
  }

  private resolve(raw: readonly RawFanotifyEvent[]): FanotifyEvent[] {
    // The mount fds by fsid, found once a batch (fsid strings are interned by the decoder).
    const fdsByFsid = new Map<string, number[]>();
    const context = {
      roots: [...this.rootsByPath.values()],
      cache: this.cache,
      mountFds: (fid: FanotifyFid) => {
        let fds = fdsByFsid.get(fid.fsid);
        if (fds === undefined) fdsByFsid.set(fid.fsid, (fds = this.mountFdsOf(fid.fsid)));
        return fds;
      },
      objectKeys: this.renameMode === 'moves',
    };
    const events: FanotifyEvent[] = [];
    for (const event of raw) {
      const outcome = resolveEvent(event, context);
      if (outcome === 'lost') this.lost++;
      else if (outcome === 'outside') this.outside++;
      else events.push(outcome);
    }
    return this.renameMode === 'moves' ? pairMoves(events) : events;
  }

  private mountFdsOf(fsid: string): number[] {
    const fds: number[] = [];
    for (const root of this.rootsByPath.values()) {
      if (root.fsid === fsid && !fds.includes(root.mount.fd)) fds.push(root.mount.fd);
    }
    return fds;
  }

  private isMarked(fsid: string): boolean {
    for (const root of this.rootsByPath.values()) if (root.fsid === fsid) return true;
    return false;
  }

  private mark(flags: number, mask: number, mountFd: number, path: string): void {
    const result = sys.fanotifyMark(
      this.fd,
      flags | FAN_MARK.FILESYSTEM,
      mask,
      sys.cPath(`/proc/self/fd/${mountFd}`),
    );
    if (result.value >= 0) return;
    const name = errnoName(result.errno);
    const call = 'fanotify_mark';
    if ((flags & FAN_MARK.REMOVE) !== 0) throw this.bug(call, result.errno, path);
    throw new SystemCallError(call, name, path, msg.markFailed(path, name));
  }

  private deliver(events: readonly FanotifyEvent[]): void {
    deliverToAll(this.listeners, events);
  }

  private assertOpen(call: string): void {
    if (!this.polled.isOpen) throw new Error(`${call} on a closed fanotify instance (fd ${this.fd})`);
  }

  private bug(call: string, errno: number, path: string | null): SystemCallError {
    const name = errnoName(errno);
    return new SystemCallError(call, name, path, systemMessages.callFailed(call, name, path));
  }
}

/** A root must be a folder that exists (the mark itself is taken on its mount). */
function assertFolder(path: string): void {
  let code: string | null = null;
  try {
    if (!statSync(path).isDirectory()) code = 'ENOTDIR';
  } catch (error) {
    code = (error as NodeJS.ErrnoException).code ?? 'EIO';
  }
  if (code !== null) throw new SystemCallError('stat', code, path, msg.markFailed(path, code));
}

/** The topmost folder above `path` on the same device: where its mount starts. */
function mountPointOf(path: string): string {
  let dev: number;
  try {
    dev = statSync(path).dev;
  } catch {
    return path; // openMount reports why
  }
  let point = path;
  while (point !== '/') {
    const parent = dirname(point);
    if (statSync(parent, { throwIfNoEntry: false })?.dev !== dev) break;
    point = parent;
  }
  return point;
}

function openMount(point: string, path: string): number {
  try {
    return sys.openMountFd(point);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'EIO';
    // The same sentence as a failed mark for what both share (ENOENT, ENOTDIR, EACCES).
    const message =
      code === 'EMFILE' || code === 'ENFILE' ? msg.mountOpenFailed(path, code) : msg.markFailed(path, code);
    throw new SystemCallError('open', code, path, message, { cause: error });
  }
}

/**
 * `moves` mode: a MOVED_FROM directly followed by a MOVED_TO by the same process, of the same
 * kind (and of the same object, where the kernel names it) becomes one rename. Without
 * FAN_REPORT_TARGET_FID (Linux < 5.17) the kernel names no object for a move, and it queues the
 * two halves of one rename one after the other, so adjacency is what pairs them.
 */
export function pairMoves(events: readonly FanotifyEvent[]): FanotifyEvent[] {
  const out: FanotifyEvent[] = [];
  for (let i = 0; i < events.length; i++) {
    const from = events[i]!;
    const to = events[i + 1];
    if (
      from.kind === 'change' &&
      to?.kind === 'change' &&
      (from.mask & ~FAN.ONDIR) === FAN.MOVED_FROM &&
      (to.mask & ~FAN.ONDIR) === FAN.MOVED_TO &&
      from.pid === to.pid &&
      from.isDir === to.isDir &&
      from.objectKey === to.objectKey
    ) {
      out.push({ ...to, mask: FAN.RENAME | (to.mask & FAN.ONDIR), oldPath: from.path });
      i++;
    } else {
      out.push(from);
    }
  }
  return out;
}

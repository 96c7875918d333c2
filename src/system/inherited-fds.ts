// Marks every descriptor the process inherited above 2 close-on-exec, so that a command the daemon
// runs (as any user) gets fds 0, 1 and 2 and nothing else: a descriptor its parent left open on a
// root-only file must not reach a command run as `nobody`. Run once, at daemon start. (Node marks
// 0-15 and the unbroken run of open descriptors after them at its own start, libuv's
// uv_disable_stdio_inheritance; one after a gap, at 70 say, is left inheritable: this catches it.)
import { closeSync, readdirSync, readFileSync } from 'node:fs';
import { DataType, ffiLoadError } from './ffi.js';
import { callLibc } from './ffi-call.js';

const F_GETFD = 1;
const F_SETFD = 2;
const FD_CLOEXEC = 1;
const O_CLOEXEC = 0o2000000;

export interface InheritedFds {
  /** Descriptors found without close-on-exec and now marked (or closed, below). */
  readonly marked: readonly number[];
  /** Closed instead, because ffi-rs (and so fcntl) is not available. */
  readonly closed: readonly number[];
}

/** systemd's socket-activation descriptors (LISTEN_FDS, meant for this very process), if any. */
export function listenFds(env: NodeJS.ProcessEnv, pid: number): ReadonlySet<number> {
  const count = Number(env['LISTEN_FDS']);
  if (env['LISTEN_PID'] !== String(pid) || !Number.isInteger(count) || count <= 0) return new Set();
  return new Set(Array.from({ length: count }, (_, i) => 3 + i));
}

/** The open descriptors above 2 that a child would inherit (no close-on-exec), per /proc. */
export function inheritableFds(): number[] {
  const found: number[] = [];
  for (const name of readdirSync('/proc/self/fd')) {
    const fd = Number(name);
    if (!Number.isInteger(fd) || fd < 3) continue;
    // The listing's own descriptor is gone by now: its fdinfo no longer exists.
    const info = readFdInfo(fd);
    const flags = /^flags:\s*([0-7]+)$/m.exec(info ?? '')?.[1];
    if (flags !== undefined && (parseInt(flags, 8) & O_CLOEXEC) === 0) found.push(fd);
  }
  return found;
}

function readFdInfo(fd: number): string | null {
  try {
    return readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8');
  } catch {
    return null;
  }
}

/**
 * Marks each inheritable descriptor close-on-exec with fcntl: it stays open for this process
 * (systemd's LISTEN_FDS too, as sd_listen_fds does) but no command receives it. Without ffi-rs
 * there is no fcntl: those descriptors are closed instead, LISTEN_FDS ones excepted.
 */
export function closeInheritedFdsOnExec(env: NodeJS.ProcessEnv = process.env): InheritedFds {
  const fds = inheritableFds();
  if (ffiLoadError() !== null) {
    const keep = listenFds(env, process.pid);
    const closed = fds.filter((fd) => !keep.has(fd) && tryClose(fd));
    return { marked: [], closed };
  }
  const marked = fds.filter((fd) => {
    const current = callLibc('fcntl', DataType.I32, [DataType.I32, DataType.I32], [fd, F_GETFD]);
    if (current.value < 0) return false;
    const set = callLibc(
      'fcntl',
      DataType.I32,
      [DataType.I32, DataType.I32, DataType.I32],
      [fd, F_SETFD, current.value | FD_CLOEXEC],
    );
    return set.value === 0;
  });
  return { marked, closed: [] };
}

function tryClose(fd: number): boolean {
  try {
    closeSync(fd);
    return true;
  } catch {
    return false;
  }
}

// posix_spawn(3) through ffi-rs: a child in its own session with stdin, stdout and stderr set,
// started in a folder, without copying the daemon. glibc's posix_spawn clones with CLONE_VM |
// CLONE_VFORK, so its cost does not grow with the daemon's memory, where node's spawn forks the
// whole process (bench/RESULTS-latency.md). Errors of the exec itself (ENOENT, EACCES, a missing
// folder) come back as the call's result, and glibc reaps such a child itself.
import { constants } from 'node:fs';
import type { DataType as FfiType } from 'ffi-rs';
import { DataType, load } from './ffi.js';
import { callLibc, type CallResult } from './ffi-call.js';
import { libc } from './libc.js';
import { O_CLOEXEC } from './fd-io.js';

/** posix_spawnattr_setflags(3) bits (spawn.h). */
const POSIX_SPAWN = { SETSIGDEF: 0x04, SETSIGMASK: 0x08, SETSID: 0x80 } as const;
/**
 * glibc: posix_spawn_file_actions_t is 80 bytes, posix_spawnattr_t 336, sigset_t 128; room to spare.
 * Typed arrays up to 64 bytes may live on V8's moving heap: every buffer whose address is taken is
 * bigger (`minArena`).
 */
const BYTES = { fileActions: 256, attr: 512, sigset: 128, minArena: 128 } as const;

const NO_SIGNALS = Buffer.alloc(BYTES.sigset);
const ALL_SIGNALS = Buffer.alloc(BYTES.sigset, 0xff);

function raw(funcName: string, retType: FfiType, paramsType: FfiType[], paramsValue: unknown[]): unknown {
  return load({ library: libc(), funcName, retType, paramsType, paramsValue });
}

/** Calls a posix_spawn* function, which returns an errno number (0 on success) rather than setting errno. */
function spawnCall(funcName: string, paramsType: FfiType[], paramsValue: unknown[]): number {
  const result = raw(funcName, DataType.I32, paramsType, paramsValue);
  if (typeof result !== 'number') throw new Error(`ffi-rs: ${funcName} returned ${String(result)}`);
  return result;
}

/** The address of a Buffer's memory (memmove returns its first argument), for arrays of pointers. */
function addressOf(buf: Buffer): number {
  const address = raw(
    'memmove',
    DataType.U64,
    [DataType.U8Array, DataType.U8Array, DataType.U64],
    [buf, buf, 0],
  );
  if (typeof address !== 'number' || address === 0) throw new Error('ffi-rs: no address for a buffer');
  return address;
}

/**
 * A NULL-terminated `char *[]` with its strings, in one buffer that must stay referenced while the
 * call that reads it runs. A string with a NUL inside would be cut there: the caller refuses those.
 */
export function cStringArray(strings: readonly string[]): {
  readonly memory: Buffer;
  readonly address: number;
} {
  const encoded = strings.map((s) => Buffer.from(`${s}\0`, 'utf8'));
  const pointerBytes = (strings.length + 1) * 8;
  const size = pointerBytes + encoded.reduce((sum, bytes) => sum + bytes.length, 0);
  const memory = Buffer.alloc(Math.max(size, BYTES.minArena));
  const base = addressOf(memory);
  let offset = pointerBytes;
  encoded.forEach((bytes, i) => {
    bytes.copy(memory, offset);
    memory.writeBigUInt64LE(BigInt(base + offset), i * 8);
    offset += bytes.length;
  });
  return { memory, address: base }; // the last pointer stays 0: NULL
}

/** pipe2(O_CLOEXEC): [read end, write end]. Close-on-exec, so no other child inherits them. */
export function pipe(): [number, number] | { readonly errno: number } {
  const fds = Buffer.alloc(BYTES.minArena);
  const result = callLibc('pipe2', DataType.I32, [DataType.U8Array, DataType.I32], [fds, O_CLOEXEC]);
  if (result.value < 0) return { errno: result.errno };
  return [fds.readInt32LE(0), fds.readInt32LE(4)];
}

export function closeFd(fd: number): void {
  callLibc('close', DataType.I32, [DataType.I32], [fd]);
}

export interface SpawnRequest {
  readonly file: string;
  /** argv, argv[0] included. */
  readonly argv: readonly string[];
  /** `NAME=value` strings. */
  readonly envp: { readonly memory: Buffer; readonly address: number };
  readonly cwd: string;
  /** The fd the child gets as stdin, or null for /dev/null. */
  readonly stdinFd: number | null;
  readonly stdoutFd: number;
  readonly stderrFd: number;
}

/**
 * The attributes every child gets, made once (they never change): a new session, every signal at
 * its default (node ignores SIGPIPE, and SIG_IGN survives exec) and an empty mask, as libuv gives
 * its children. Kept for the process's life (posix_spawnattr_destroy frees nothing in glibc).
 */
let sharedAttr: Buffer | null = null;

function spawnAttr(): Buffer | { readonly errno: number } {
  if (sharedAttr !== null) return sharedAttr;
  const attr = Buffer.alloc(BYTES.attr);
  const U8 = DataType.U8Array;
  const flags = POSIX_SPAWN.SETSID | POSIX_SPAWN.SETSIGMASK | POSIX_SPAWN.SETSIGDEF;
  const failed =
    spawnCall('posix_spawnattr_init', [U8], [attr]) ||
    spawnCall('posix_spawnattr_setflags', [U8, DataType.I16], [attr, flags]) ||
    spawnCall('posix_spawnattr_setsigmask', [U8, U8], [attr, NO_SIGNALS]) ||
    spawnCall('posix_spawnattr_setsigdefault', [U8, U8], [attr, ALL_SIGNALS]);
  if (failed !== 0) return { errno: failed };
  sharedAttr = attr;
  return attr;
}

/** Starts the child in a new session (so a new process group); its pid, or the errno number when it could not start. */
export function posixSpawn(request: SpawnRequest): { readonly pid: number } | { readonly errno: number } {
  const attr = spawnAttr();
  if (!Buffer.isBuffer(attr)) return attr;
  const actions = Buffer.alloc(BYTES.fileActions);
  const pidOut = Buffer.alloc(BYTES.minArena);
  const argv = cStringArray(request.argv);
  const U8 = DataType.U8Array;
  const I32 = DataType.I32;
  spawnCall('posix_spawn_file_actions_init', [U8], [actions]);
  try {
    const dup2 = (fd: number, to: number): number =>
      spawnCall('posix_spawn_file_actions_adddup2', [U8, I32, I32], [actions, fd, to]);
    const devNull = (): number =>
      spawnCall(
        'posix_spawn_file_actions_addopen',
        [U8, I32, DataType.String, I32, I32],
        [actions, 0, '/dev/null', constants.O_RDONLY, 0],
      );
    const failed =
      (request.stdinFd === null ? devNull() : dup2(request.stdinFd, 0)) ||
      dup2(request.stdoutFd, 1) ||
      dup2(request.stderrFd, 2) ||
      spawnCall('posix_spawn_file_actions_addchdir_np', [U8, DataType.String], [actions, request.cwd]);
    if (failed !== 0) return { errno: failed };
    const errno = spawnCall(
      'posix_spawn',
      [U8, DataType.String, U8, U8, DataType.U64, DataType.U64],
      [pidOut, request.file, actions, attr, argv.address, request.envp.address],
    );
    return errno === 0 ? { pid: pidOut.readInt32LE(0) } : { errno };
  } finally {
    spawnCall('posix_spawn_file_actions_destroy', [U8], [actions]);
    // Referenced until here: the child has executed (or failed) before posix_spawn returns.
    void argv.memory.length;
    void request.envp.memory.length;
  }
}

export const WNOHANG = 1;
/** waitid(2): any child (P_ALL), ended ones (WEXITED), left unreaped (WNOWAIT). */
const WAITID = { P_ALL: 0, WEXITED: 4, WNOWAIT: 0x01000000 } as const;
/** siginfo_t is 128 bytes; si_pid (int) sits 16 bytes in on x86_64 and arm64. */
const SIGINFO = { bytes: 128, pidAt: 16 } as const;
const siginfo = Buffer.alloc(SIGINFO.bytes);

/**
 * The pid of a child that has ended and is not reaped yet, without reaping it (waitid with
 * WNOWAIT): 0 when none is, or when the process has no child.
 */
export function peekEndedChild(): number {
  siginfo.fill(0);
  const result = callLibc(
    'waitid',
    DataType.I32,
    [DataType.I32, DataType.I32, DataType.U8Array, DataType.I32],
    [WAITID.P_ALL, 0, siginfo, WAITID.WEXITED | WNOHANG | WAITID.WNOWAIT],
  );
  return result.value < 0 ? 0 : siginfo.readInt32LE(SIGINFO.pidAt);
}

/** waitpid(pid, &status, WNOHANG): the pid and raw status once it has ended, value 0 while it runs. */
export function waitPid(pid: number, status: Buffer): CallResult {
  return callLibc(
    'waitpid',
    DataType.I32,
    [DataType.I32, DataType.U8Array, DataType.I32],
    [pid, status, WNOHANG],
  );
}

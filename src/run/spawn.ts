// Executes a launch with a clean environment, in a new session and process group, stdin from
// /dev/null or a pipe the caller writes, and both output streams left to the caller (nothing is
// buffered). The pipes are made here, before setpriv or chroot run. Two ways, one contract:
// posix_spawn(3) through ffi-rs (the default: it does not copy the daemon, see
// bench/RESULTS-latency.md), and execa (the only execa caller) where ffi-rs cannot load, or when
// WATCHTAB_SPAWNER=execa asks for it (benchmarks compare the two on one build).
// Stopping, timeouts and output handling are the run's (run.ts); this file only starts.
import { Socket } from 'node:net';
import type { Readable, Writable } from 'node:stream';
import type { execa as ExecaFn } from 'execa';
import { errnoName } from '../system/errno.js';
import { ffiLoadError } from '../system/ffi.js';
import { closeFd, cStringArray, pipe, posixSpawn } from '../system/posix-spawn.js';
import { onChildExit, type ExitListener } from './child-exits.js';
import type { Launch } from './launch.js';

type Execa = typeof ExecaFn;

// execa (with its dependencies) is the largest module the daemon loads: imported when the first
// command is about to start (the daemon warms it once it is ready), it is not on the way to ready.
let execa: Execa | null = null;
let loading: Promise<unknown> | null = null;

/** posix_spawn unless ffi-rs is missing or execa is asked for; decided once, at start. */
const isPosixSpawn = ffiLoadError() === null && process.env['WATCHTAB_SPAWNER'] !== 'execa';

/** Loads the spawner once; spawnLaunch may be called after this resolves. */
export function loadSpawner(): Promise<unknown> {
  if (isPosixSpawn) return Promise.resolve();
  loading ??= import('execa').then(
    (module) => (execa = module.execa),
    (error: unknown) => {
      loading = null; // the next run tries again
      throw error;
    },
  );
  return loading;
}

/** A started (or failed-to-start) command. */
export interface Spawned {
  /** undefined when it could not be executed: `failure` then says why. */
  readonly pid: number | undefined;
  /** The daemon's end of the command's stdin, when one was asked for. */
  readonly stdin: Writable | null;
  readonly stdout: Readable | null;
  readonly stderr: Readable | null;
  /** Fires once, when the direct child has exited and was reaped. */
  onExit(listener: (code: number | null, signal: NodeJS.Signals | null) => void): void;
  /** Resolves with the errno name when the program could not be executed, else with null. */
  readonly failure: Promise<string | null>;
}

/** Starts `launch` synchronously (its pid is known on return); `loadSpawner()` must have resolved. */
export function spawnLaunch(
  launch: Launch,
  env: Readonly<Record<string, string>>,
  hasStdinPipe = false,
): Spawned {
  if (isPosixSpawn) return spawnPosix(launch, env, hasStdinPipe);
  if (execa === null) throw new Error('spawnLaunch called before loadSpawner() resolved');
  const subprocess = execa(launch.file, [...launch.args], {
    cwd: launch.spawnCwd,
    env,
    extendEnv: false,
    detached: true,
    stdin: hasStdinPipe ? 'pipe' : 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
    buffer: false,
    reject: false,
    cleanup: false,
    windowsHide: true,
  });
  const failure = subprocess.then(
    (result) => (subprocess.pid === undefined ? String(result.code ?? 'EUNKNOWN') : null),
    () => null,
  );
  return {
    pid: subprocess.pid,
    stdin: subprocess.stdin,
    stdout: subprocess.stdout,
    stderr: subprocess.stderr,
    onExit: (listener) => subprocess.once('exit', listener),
    failure,
  };
}

/** A string the kernel would cut at its first NUL: refused as node's spawn refuses it. */
const hasNul = (s: string): boolean => s.includes('\0');

function notStarted(errno: string): Spawned {
  return {
    pid: undefined,
    stdin: null,
    stdout: null,
    stderr: null,
    onExit: () => undefined,
    failure: Promise.resolve(errno),
  };
}

/** The same start through posix_spawn: pipes made here, the daemon's ends wrapped as node streams. */
function spawnPosix(launch: Launch, env: Readonly<Record<string, string>>, hasStdinPipe: boolean): Spawned {
  const argv = [launch.file, ...launch.args];
  const envp = Object.entries(env).map(([name, value]) => `${name}=${value}`);
  if ([...argv, ...envp, launch.spawnCwd].some(hasNul)) return notStarted('EINVAL');
  const made: number[] = [];
  let pipeErrno: string | null = null;
  const makePipe = (): [number, number] | null => {
    const fds = pipe();
    if ('errno' in fds) {
      pipeErrno ??= errnoName(fds.errno);
      return null;
    }
    made.push(...fds);
    return fds;
  };
  const input = hasStdinPipe ? makePipe() : null;
  const output = makePipe();
  const errors = makePipe();
  if (pipeErrno !== null || output === null || errors === null) {
    made.forEach(closeFd);
    return notStarted(pipeErrno ?? 'EUNKNOWN');
  }
  const started = posixSpawn({
    file: launch.file,
    argv,
    envp: cStringArray(envp),
    cwd: launch.spawnCwd,
    stdinFd: input === null ? null : input[0],
    stdoutFd: output[1],
    stderrFd: errors[1],
  });
  // The child's ends are the child's now (or nobody's): the daemon keeps only its own.
  [input?.[0], output[1], errors[1]].forEach((fd) => fd !== undefined && closeFd(fd));
  if ('errno' in started) {
    [input?.[1], output[0], errors[0]].forEach((fd) => fd !== undefined && closeFd(fd));
    return notStarted(errnoName(started.errno));
  }
  let ended: Parameters<ExitListener> | null = null;
  const waiting: ExitListener[] = [];
  onChildExit(started.pid, (code, signal) => {
    ended = [code, signal];
    for (const listener of waiting.splice(0)) listener(code, signal);
  });
  return {
    pid: started.pid,
    stdin: input === null ? null : new Socket({ fd: input[1], readable: false, writable: true }),
    stdout: new Socket({ fd: output[0], readable: true, writable: false }),
    stderr: new Socket({ fd: errors[0], readable: true, writable: false }),
    onExit: (listener) => {
      if (ended === null) waiting.push(listener);
      else listener(...ended);
    },
    failure: Promise.resolve(null),
  };
}

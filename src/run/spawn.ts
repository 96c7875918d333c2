// The only execa caller: executes a launch with a clean environment, in a new session and process
// group, stdin from /dev/null or a pipe the caller writes, and both output streams left to the
// caller (execa buffers nothing). The pipe is made here, before setpriv or chroot run.
// Stopping, timeouts and output handling are the run's (run.ts); this file only starts.
import type { Readable, Writable } from 'node:stream';
import type { execa as ExecaFn } from 'execa';
import type { Launch } from './launch.js';

type Execa = typeof ExecaFn;

// execa (with its dependencies) is the largest module the daemon loads: imported when the first
// command is about to start (the daemon warms it once it is ready), it is not on the way to ready.
let execa: Execa | null = null;
let loading: Promise<Execa> | null = null;

/** Loads execa once; spawnLaunch may be called after this resolves. */
export function loadSpawner(): Promise<Execa> {
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

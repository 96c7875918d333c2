// The only execa caller: executes a launch with a clean environment, in a new session and process
// group, stdin from /dev/null, and both output streams left to the caller (execa buffers nothing).
// Stopping, timeouts and output handling are the run's (run.ts); this file only starts.
import type { Readable } from 'node:stream';
import { execa } from 'execa';
import type { Launch } from './launch.js';

/** A started (or failed-to-start) command. */
export interface Spawned {
  /** undefined when it could not be executed: `failure` then says why. */
  readonly pid: number | undefined;
  readonly stdout: Readable | null;
  readonly stderr: Readable | null;
  /** Fires once, when the direct child has exited and was reaped. */
  onExit(listener: (code: number | null, signal: NodeJS.Signals | null) => void): void;
  /** Resolves with the errno name when the program could not be executed, else with null. */
  readonly failure: Promise<string | null>;
}

export function spawnLaunch(launch: Launch, env: Readonly<Record<string, string>>): Spawned {
  const subprocess = execa(launch.file, [...launch.args], {
    cwd: launch.spawnCwd,
    env,
    extendEnv: false,
    detached: true,
    stdin: 'ignore',
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
    stdout: subprocess.stdout,
    stderr: subprocess.stderr,
    onExit: (listener) => subprocess.once('exit', listener),
    failure,
  };
}

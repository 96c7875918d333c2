// Runs the built watchtabd as a real process for end-to-end tests: collects its log lines, waits
// for lines under a deadline, stops it with a signal, and always kills it when the test ends.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { readStatus } from '../../src/daemon/status-server.js';
import type { StatusDocument, StatusEntry } from '../../src/daemon/status-document.js';
import { WATCHTABD_BIN } from './paths.js';
import { waitFor } from './wait.js';

export interface RunningDaemon {
  readonly child: ChildProcess;
  /** Every line the daemon wrote to stderr so far. */
  readonly lines: string[];
  /** Resolves with the first line (from `fromLine` on) matching `pattern`. */
  waitForLine(pattern: RegExp, options?: { withinMs?: number; fromLine?: number }): Promise<string>;
  /** Sends `signal` and resolves with the exit code (null when killed by a signal). */
  stop(signal?: NodeJS.Signals, withinMs?: number): Promise<number | null>;
  readonly exited: Promise<number | null>;
}

export interface DaemonOptions {
  readonly args: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** A command the daemon is started through, e.g. `setpriv --reuid=… --`; it must exec, not fork. */
  readonly wrap?: readonly string[];
  /** The child's stdio; fds 1 and 2 must stay 'pipe' (the log is read from them). */
  readonly stdio?: readonly ('ignore' | 'pipe' | number)[];
}

/**
 * Starts the built daemon. Unless the test names a `--state-dir`, each daemon gets a fresh one of
 * its own (never the shared default, where daemons of parallel tests would read each other's records).
 */
export function startDaemon(t: TestContext, options: DaemonOptions): RunningDaemon {
  const [file, ...prefix] = options.wrap ?? [process.execPath];
  const node = daemonNodeArgs();
  const argv =
    options.wrap === undefined
      ? [...node, WATCHTABD_BIN]
      : [...prefix, process.execPath, ...node, WATCHTABD_BIN];
  const hasStateDir = options.args.some((a) => a === '--state-dir' || a.startsWith('--state-dir='));
  const stateDir = hasStateDir ? null : mkdtempSync(join(tmpdir(), 'watchtabd-state-'));
  const stateArgs = stateDir === null ? [] : ['--state-dir', join(stateDir, 'state')];
  // Likewise the status socket: the root default (/run/watchtabd) is the machine's, not a test's.
  const hasSocket = options.args.some((a) => a === '--socket' || a.startsWith('--socket='));
  const socketDir = hasSocket ? null : mkdtempSync(join(tmpdir(), 'watchtabd-sock-'));
  if (socketDir !== null) stateArgs.push('--socket', join(socketDir, 'status.sock'));
  const child = spawn(file ?? process.execPath, [...argv, ...options.args, ...stateArgs], {
    stdio: options.stdio === undefined ? ['ignore', 'pipe', 'pipe'] : [...options.stdio],
    // The test run's mark goes along even with an environment of the test's own, so the runner can
    // find this daemon if it outlives the test (scripts/run-tests.mjs).
    env: { ...(options.env ?? process.env), ...testRunMark() },
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
  });
  const lines: string[] = [];
  let partial = '';
  const collect = (chunk: Buffer): void => {
    partial += chunk.toString('utf8');
    const parts = partial.split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts);
  };
  child.stderr?.on('data', collect);
  child.stdout?.on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  // A runner that force-exits (a timed-out file) skips t.after: the daemon must not outlive it.
  const killAtExit = (): void => void child.kill('SIGKILL');
  process.on('exit', killAtExit);
  child.once('exit', () => process.off('exit', killAtExit));
  t.after(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
    if (stateDir !== null) rmSync(stateDir, { recursive: true, force: true });
    if (socketDir !== null) rmSync(socketDir, { recursive: true, force: true });
    if (process.env['WATCHTAB_TEST_LOG'] !== undefined) console.log(lines.join('\n'));
  });
  return {
    child,
    lines,
    exited,
    waitForLine: (pattern, { withinMs = 10_000, fromLine = 0 } = {}) =>
      waitFor(
        () => lines.slice(fromLine).find((l) => pattern.test(l)),
        (line) => line !== undefined,
        { withinMs, what: `a daemon log line matching ${pattern} (log so far:\n${lines.join('\n')}\n)` },
      ).then((line) => line as string),
    async stop(signal = 'SIGTERM', withinMs = 15_000) {
      child.kill(signal);
      const timeout = new Promise<never>((_, reject) =>
        setTimeout(
          () => reject(new Error(`watchtabd did not exit within ${withinMs} ms of ${signal}`)),
          withinMs,
        ).unref(),
      );
      return Promise.race([exited, timeout]);
    },
  };
}

/**
 * Node options for test daemons only, for a local run (e.g. `--cpu-prof --cpu-prof-dir=DIR`, which
 * NODE_OPTIONS refuses): `WATCHTAB_TEST_DAEMON_NODE_ARGS`, split on spaces.
 */
export function daemonNodeArgs(): string[] {
  return (process.env['WATCHTAB_TEST_DAEMON_NODE_ARGS'] ?? '').split(' ').filter((a) => a !== '');
}

function testRunMark(): NodeJS.ProcessEnv {
  const mark = process.env['WATCHTAB_TEST_RUN'];
  return mark === undefined ? {} : { WATCHTAB_TEST_RUN: mark };
}

/** Whether a process is alive (signal 0 probes without touching it). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Running, as opposed to gone or a zombie waiting to be reaped by its new parent. */
export async function isRunning(pid: number): Promise<boolean> {
  if (!isAlive(pid)) return false;
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  return stat !== '' && !/^\d+ \(.*\) Z/.test(stat);
}

/** The non-empty lines of a file a command writes to. */
export async function readLines(file: string): Promise<string[]> {
  return (await readFile(file, 'utf8')).split('\n').filter((l) => l !== '');
}

/** Waits for a command to write its pid into `file`. */
export function readPid(file: string): Promise<number> {
  return waitFor(
    async () => Number((await readFile(file, 'utf8')).trim()),
    (pid) => Number.isInteger(pid) && pid > 0,
    { withinMs: 10_000, what: `a pid in ${file}` },
  );
}

/** The first entry of the status the daemon behind `socket` answers within `withinMs` (asserted there). */
export async function firstStatusEntry(socket: string, withinMs: number): Promise<StatusEntry> {
  const doc = (await readStatus(socket, withinMs)) as StatusDocument;
  const entry = doc.entries[0];
  assert.ok(entry !== undefined, 'one entry');
  return entry;
}

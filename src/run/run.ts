// One run of an entry's command, from launch to the moment its whole process group is gone: the
// timeout, the output lines, stopping on request, and the processes a command leaves behind. A run
// is over only when nothing of its process group is left, so the next run never overlaps it.
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import type { Logger } from '../log/logger.js';
import * as msg from '../log/messages/run.js';
import type { Entry } from '../watchtab/entry.js';
import { buildEnv } from './env.js';
import type { FoldSummary } from './fold.js';
import { CHROOT, planLaunch, SETPRIV, type LaunchContext } from './launch.js';
import { fromExit, type Launcher, type Outcome, type StopReason } from './outcome.js';
import { OUTPUT_LINES_PER_SECOND, OutputBudget } from './output-budget.js';
import { LineSplitter, LINE_CAP_BYTES } from './output.js';
import { isGroupAlive, signalGroup, stopGroup } from './process-group.js';
import { loadSpawner, spawnLaunch, type Spawned } from './spawn.js';
import { feedStdin } from './stdin-feed.js';
import { traceStage } from '../log/stage-trace.js';
import type { OwnSessions } from './own-sessions.js';
import type { RunRecorder } from './run-records.js';

/** How long, once the group is gone, the output pipes may take to drain before they are closed. */
const DRAIN_MS = 1000;

/** Waits for the output to be read to its end, but no longer than `ms` (a process that left the group may hold the pipe). */
async function drainWithin(drained: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  await Promise.race([drained, deadline]);
  clearTimeout(timer);
}

function launcherOf(file: string): Launcher {
  if (file === SETPRIV) return 'setpriv';
  return file === CHROOT ? 'chroot' : 'sh';
}

export interface RunReport {
  readonly outcome: Outcome;
  readonly pid: number | null;
  /** Wall-clock milliseconds when the command was started (or refused). */
  readonly startedAt: number;
  readonly durationMs: number;
  /** The path that triggered the run (the last one folded in) and how many distinct paths were. */
  readonly path: string;
  readonly count: number;
}

export interface RunContext extends LaunchContext {
  readonly logger: Logger;
  /** Given for an entry with ignore-own-changes: told of the command's session. */
  readonly sessions?: Pick<OwnSessions, 'willSpawn' | 'spawned' | 'ended'>;
  /** The state folder's record of running commands (for a restart after a crash). */
  readonly records?: RunRecorder;
}

export class Run {
  pid: number | null = null;
  readonly startedAt = Date.now();
  readonly ended: Promise<RunReport>;
  private readonly startedMs = performance.now();
  private stopReason: StopReason | null = null;
  private isTimedOut = false;
  private stopping: Promise<void> | null = null;
  /** The group is gone: its id may be reused, so it is never signalled again. */
  private isGone = false;

  constructor(
    private readonly entry: Entry,
    private readonly fold: FoldSummary,
    private readonly ctx: RunContext,
  ) {
    this.ended = this.execute().then((outcome) => ({
      outcome,
      pid: this.pid,
      startedAt: this.startedAt,
      durationMs: Math.round(performance.now() - this.startedMs),
      path: this.fold.path,
      count: this.fold.count,
    }));
  }

  /** Stops the run's process group (SIGTERM, SIGKILL after `graceMs`); harmless when already stopping. */
  stop(graceMs: number, reason: StopReason): void {
    if (this.stopReason === null && !this.isTimedOut) this.stopReason = reason;
    this.beginStop(graceMs);
  }

  private beginStop(graceMs: number): void {
    if (this.pid === null || this.isGone) return;
    if (this.stopping !== null) {
      // Already stopping with a longer grace (a restart, a timeout): a stop asking for none — the
      // daemon's second signal — kills the group now; stopGroup then sees it gone.
      if (graceMs === 0) signalGroup(this.pid, 'SIGKILL');
      return;
    }
    const pid = this.pid;
    this.stopping = stopGroup(pid, graceMs).then((end) => {
      if (end === 'stuck') this.ctx.logger.warn(msg.GROUP_STUCK, { entry: this.entry.name, pid });
    });
  }

  private async execute(): Promise<Outcome> {
    const plan = await planLaunch(this.entry, this.ctx);
    if (this.stopReason !== null) return { kind: 'stopped', reason: this.stopReason, signal: null };
    if (plan.kind === 'refused') return { kind: 'cannot-start', reason: plan.reason };
    await loadSpawner();
    if (this.stopReason !== null) return { kind: 'stopped', reason: this.stopReason, signal: null };
    const env = buildEnv(this.entry, plan.identity, this.fold);
    this.ctx.sessions?.willSpawn();
    let spawned: Spawned | null = null;
    try {
      traceStage('spawn-call', this.entry.name);
      spawned = spawnLaunch(plan, env, this.entry.stdin !== 'none');
      traceStage('spawn-return', spawned.pid ?? '');
    } finally {
      this.ctx.sessions?.spawned(spawned?.pid ?? null);
    }
    if (spawned.pid === undefined) {
      const errno = (await spawned.failure) ?? 'EUNKNOWN';
      return { kind: 'cannot-start', reason: msg.spawnFailed(plan.file, errno) };
    }
    this.pid = spawned.pid;
    this.ctx.records?.started(this.entry.name, this.pid, this.startedAt);
    const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
      spawned.onExit((code, signal) => resolve([code, signal])),
    );
    const drained = this.logOutput(spawned);
    const { stdin: format } = this.entry;
    const closeStdin =
      format === 'none' || spawned.stdin === null ? null : feedStdin(spawned.stdin, format, this.fold.folded);
    this.ctx.logger.info(msg.RUN_STARTED, {
      entry: this.entry.name,
      pid: this.pid,
      path: this.fold.path,
      events: this.fold.events.join(','),
      count: this.fold.count,
      cwd: plan.cwd,
    });
    const timer = this.armTimeout();
    const [code, signal] = await exited;
    clearTimeout(timer);
    await this.reapLeftovers();
    closeStdin?.();
    this.isGone = true;
    this.ctx.records?.ended(this.pid);
    this.ctx.sessions?.ended(this.pid);
    await drainWithin(drained, DRAIN_MS);
    spawned.stdout?.destroy();
    spawned.stderr?.destroy();
    if (this.isTimedOut) return { kind: 'timed-out', timeoutMs: this.entry.timeoutMs ?? 0, signal };
    if (this.stopReason !== null) return { kind: 'stopped', reason: this.stopReason, signal };
    return fromExit(code, signal, launcherOf(plan.file));
  }

  private armTimeout(): NodeJS.Timeout | undefined {
    const { timeoutMs, graceMs, name } = this.entry;
    if (timeoutMs === null) return undefined;
    return setTimeout(() => {
      if (this.stopping !== null) return;
      this.isTimedOut = true;
      this.ctx.logger.warn(msg.timeoutReached(timeoutMs, graceMs), { entry: name, pid: this.pid });
      this.beginStop(graceMs);
    }, timeoutMs);
  }

  /** The shell is gone; whatever it left in its group is stopped too, or the next run would overlap. */
  private async reapLeftovers(): Promise<void> {
    if (this.stopping === null && this.pid !== null && (await isGroupAlive(this.pid))) {
      this.ctx.logger.warn(msg.RUN_LEFT_PROCESSES, { entry: this.entry.name, pid: this.pid });
      this.beginStop(this.entry.graceMs);
    }
    await this.stopping;
  }

  private logOutput(spawned: Spawned): Promise<unknown> {
    let isCutSaid = false;
    const budget = new OutputBudget(() => performance.now());
    const follow = (stream: Readable | null, name: 'stdout' | 'stderr'): Promise<unknown> => {
      if (stream === null) return Promise.resolve();
      const splitter = new LineSplitter((line) => {
        if (!budget.take()) {
          if (budget.dropped === 1)
            this.ctx.logger.warn(msg.outputThrottled(OUTPUT_LINES_PER_SECOND), { entry: this.entry.name });
          return;
        }
        // stderr at warning priority, so `journalctl -p warning` shows what commands complain about.
        const fields = { entry: this.entry.name, stream: name, line: line.text };
        if (name === 'stderr') this.ctx.logger.warn(msg.OUTPUT, fields);
        else this.ctx.logger.info(msg.OUTPUT, fields);
        if (line.isCut && !isCutSaid) {
          isCutSaid = true;
          this.ctx.logger.warn(msg.lineCut(LINE_CAP_BYTES), { entry: this.entry.name, stream: name });
        }
      });
      stream.on('data', (chunk: Buffer) => splitter.push(chunk));
      return once(stream, 'close').then(
        () => splitter.end(),
        () => splitter.end(),
      );
    };
    return Promise.all([follow(spawned.stdout, 'stdout'), follow(spawned.stderr, 'stderr')]).then(() => {
      if (budget.dropped > 0)
        this.ctx.logger.warn(msg.outputDropped(budget.dropped), {
          entry: this.entry.name,
          dropped: budget.dropped,
        });
    });
  }
}

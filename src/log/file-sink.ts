// `--log-file`: appends lines to a file that may fail (a full disk, a quota) and come back. A failed
// write never stops the daemon or its commands: lines are counted while the file cannot take them,
// a retry follows after a back-off, and the first line that gets through says how many were lost.
import { close, open, write } from 'node:fs';
import { logFileMessages as msg } from './messages/log.js';

/** Lines waiting for the file while a write is under way; beyond this they are counted as lost. */
const MAX_QUEUED_LINES = 10_000;
const FIRST_RETRY_MS = 1_000;
const MAX_RETRY_MS = 10_000;
/** How long close() waits for the last lines (a hung network file system must not hold a stop). */
const CLOSE_WITHIN_MS = 3_000;

interface Failing {
  readonly sinceMs: number;
  readonly errno: string;
  lost: number;
  retryMs: number;
  timer: NodeJS.Timeout | null;
}

export interface FileSink {
  /** Queues one line (without its newline). Never throws, never blocks. */
  writeLine(line: string): void;
  /** Opens the file's path again (after logrotate moved it); lines queued meanwhile go to the new file. */
  reopen(): void;
  /** Writes what is queued (within a few seconds) and closes the file; always resolves. */
  close(): Promise<void>;
}

export interface FileSinkOptions {
  /** Where the sink reports its own trouble (the file cannot take it): stderr in the daemon. */
  readonly complain: (sentence: string) => void;
  readonly now?: () => number;
}

function errnoOf(error: unknown): string {
  return (error as NodeJS.ErrnoException | null)?.code ?? 'EIO';
}

function openAppend(path: string): Promise<number> {
  // 0640: the log names paths under watched folders that not every user may list.
  return new Promise((resolve, reject) =>
    open(path, 'a', 0o640, (error, fd) => (error === null ? resolve(fd) : reject(error))),
  );
}

function writeAll(fd: number, data: Buffer): Promise<{ written: number; error: unknown }> {
  return new Promise((resolve) => {
    const step = (offset: number): void =>
      write(fd, data, offset, data.length - offset, null, (error, n) => {
        if (error !== null) return resolve({ written: offset, error });
        if (offset + n >= data.length) return resolve({ written: data.length, error: null });
        step(offset + n);
      });
    step(0);
  });
}

class AppendingFileSink implements FileSink {
  private fd: Promise<number> | null = null;
  private queue: string[] = [];
  private isWriting = false;
  private failing: Failing | null = null;
  /** The failure being retried: if the retry fails too, it goes on with its count and back-off. */
  private retrying: Failing | null = null;
  /** A failed write may leave half a line: the next text starts on a line of its own. */
  private isMidLine = false;
  private isClosed = false;
  private isReopenAsked = false;
  private idle: (() => void) | null = null;
  private readonly now: () => number;

  constructor(
    private readonly path: string,
    private readonly options: FileSinkOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  writeLine(line: string): void {
    if (this.isClosed) return;
    if (this.failing !== null || this.queue.length >= MAX_QUEUED_LINES) {
      this.lose(1, this.failing?.errno ?? 'EAGAIN');
      return;
    }
    this.queue.push(line);
    this.pump();
  }

  reopen(): void {
    // The old descriptor is closed by the next batch, never under a write in flight (its number
    // could be reused by another file meanwhile).
    this.isReopenAsked = true;
    // A file that failed may work under its new name: try now rather than after the back-off.
    if (this.failing !== null) this.retryNow();
  }

  /** Closes the descriptor if reopen() asked for it; the next batch opens the path again. */
  private async closeIfReopenAsked(): Promise<void> {
    if (!this.isReopenAsked) return;
    this.isReopenAsked = false;
    const old = await this.fd?.catch(() => null);
    this.fd = null;
    if (old !== null && old !== undefined) await new Promise((resolve) => close(old, resolve));
  }

  async close(): Promise<void> {
    if (this.isClosed) return;
    // One last try, so that a stop after the space came back still says what was lost.
    this.retryNow();
    this.isClosed = true;
    if (this.isWriting || this.queue.length > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        new Promise<void>((resolve) => (this.idle = resolve)),
        new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_WITHIN_MS))),
      ]);
      clearTimeout(timer);
    }
    const fd = await this.fd?.catch(() => null);
    if (fd !== null && fd !== undefined) await new Promise((resolve) => close(fd, resolve));
  }

  private lose(count: number, errno: string): void {
    if (this.failing === null) {
      if (this.isClosed) return;
      this.failing = { sinceMs: this.now(), errno, lost: 0, retryMs: FIRST_RETRY_MS, timer: null };
      this.options.complain(msg.failed(this.path, errno));
      this.schedule(this.failing);
    }
    this.failing.lost += count;
  }

  private schedule(f: Failing): void {
    f.timer = setTimeout(() => {
      f.timer = null;
      f.retryMs = Math.min(f.retryMs * 2, MAX_RETRY_MS);
      this.retryNow();
    }, f.retryMs);
    f.timer.unref();
  }

  private retryNow(): void {
    const f = this.failing;
    if (f === null || this.isClosed) return;
    if (f.timer !== null) clearTimeout(f.timer);
    f.timer = null;
    this.failing = null;
    this.retrying = f;
    this.queue.unshift(this.lostNotice(f));
    this.pump();
  }

  private lostNotice(f: Failing): string {
    return `${new Date(this.now()).toISOString()} warn: ${msg.recovered(this.path, f.lost, f.errno, new Date(f.sinceMs).toISOString())}`;
  }

  private pump(): void {
    if (this.isWriting || this.queue.length === 0) return;
    this.isWriting = true;
    const lines = this.queue;
    this.queue = [];
    void this.writeBatch(lines).finally(() => {
      this.isWriting = false;
      if (this.queue.length > 0 && this.failing === null) this.pump();
      else if (this.idle !== null) this.idle();
    });
  }

  private async writeBatch(lines: string[]): Promise<void> {
    const prefix = this.isMidLine ? 1 : 0;
    const data = Buffer.from(`${prefix === 1 ? '\n' : ''}${lines.join('\n')}\n`);
    let result: { written: number; error: unknown };
    try {
      await this.closeIfReopenAsked();
      this.fd ??= openAppend(this.path);
      result = await writeAll(await this.fd, data);
    } catch (error) {
      this.fd = null;
      result = { written: 0, error };
    }
    if (result.error === null) {
      this.isMidLine = false;
      this.retrying = null;
      return;
    }
    if (result.written > 0) this.isMidLine = data[result.written - 1] !== 0x0a;
    let complete = 0;
    for (let i = prefix; i < result.written; i += 1) if (data[i] === 0x0a) complete += 1;
    // The notice of a failed retry is not a line of the log: it is not counted as lost.
    const retried = this.retrying;
    this.retrying = null;
    const lostHere = lines.length - Math.min(complete, lines.length) - (retried === null ? 0 : 1);
    if (retried !== null) {
      this.failing = retried;
      retried.lost += lostHere + this.queue.length;
      this.queue = [];
      if (!this.isClosed) this.schedule(retried);
      return;
    }
    this.lose(lostHere + this.queue.length, errnoOf(result.error));
    this.queue = [];
  }
}

/** A sink appending to `path` (created with mode 0640 when missing), opened at the first line. */
export function createFileSink(path: string, options: FileSinkOptions): FileSink {
  return new AppendingFileSink(path, options);
}

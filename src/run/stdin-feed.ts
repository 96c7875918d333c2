// What a command reads on stdin: every path folded into its run, written through the pipe the
// daemon made, asynchronously and never faster than the command reads. A command that never reads
// holds up nothing: the daemon keeps at most one chunk beside the fold's own list, waits for the
// pipe to drain, and closes its end when the run ends, written out or not.
import type { Writable } from 'node:stream';
import type { StdinFormat } from '../watchtab/entry.js';
import type { FoldedPath } from './fold.js';
import { encodeFsBytes } from '../system/path-bytes.js';

/** How many bytes are encoded before they are handed to the pipe (and the event loop is yielded). */
const CHUNK_BYTES = 64 * 1024;

const NEWLINE = Buffer.from('\n');
const NUL = Buffer.of(0);

/** One path as the format writes it. */
export function encodePath(format: Exclude<StdinFormat, 'none'>, folded: FoldedPath): Buffer[] {
  switch (format) {
    case 'paths':
      return [encodeFsBytes(folded.path), NEWLINE];
    case 'paths0':
      return [encodeFsBytes(folded.path), NUL];
    case 'json': {
      const record = {
        path: folded.path,
        events: folded.events,
        ...(folded.oldPath === null ? {} : { old_path: folded.oldPath }),
      };
      return [Buffer.from(`${JSON.stringify(record)}\n`, 'utf8')];
    }
  }
}

/** Resolves when the pipe takes more, or is closed (by either side). */
function drainedOrClosed(stream: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.once('drain', done);
    stream.once('close', done);
  });
}

const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Starts writing `paths` to `stdin`; the returned function closes the daemon's end (at the run's end). */
export function feedStdin(
  stdin: Writable,
  format: Exclude<StdinFormat, 'none'>,
  paths: Iterable<FoldedPath>,
): () => void {
  // EPIPE, ECONNRESET: the command closed its stdin (or ended); what it did not read is not wanted.
  stdin.on('error', () => undefined);
  const isClosed = (): boolean => stdin.destroyed || stdin.writableEnded;
  const write = async (): Promise<void> => {
    let batch: Buffer[] = [];
    let size = 0;
    for (const folded of paths) {
      for (const part of encodePath(format, folded)) {
        batch.push(part);
        size += part.length;
      }
      if (size < CHUNK_BYTES) continue;
      if (isClosed()) return;
      const isFull = !stdin.write(Buffer.concat(batch, size));
      batch = [];
      size = 0;
      if (isFull) await drainedOrClosed(stdin);
      else await yieldToLoop();
    }
    if (!isClosed()) stdin.end(Buffer.concat(batch, size));
  };
  void write();
  return () => {
    if (!stdin.destroyed) stdin.destroy();
  };
}

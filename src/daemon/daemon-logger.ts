// The daemon's logger, chosen for where its output goes: `--log-file`; the journal when stderr is
// the stream systemd connected (JOURNAL_STREAM names stderr's device and inode), as native records
// with fields; else plain timestamped lines on stderr.
import { fstatSync } from 'node:fs';
import { createLogger, type ClosableLogger, type LogLevel } from '../log/logger.js';
import { createDatagramSender } from '../system/unix-datagram.js';

export const JOURNAL_SOCKET = '/run/systemd/journal/socket';
/** After a send the journal refused for a reason other than being busy, stderr alone for this long. */
const JOURNAL_PAUSE_MS = 5_000;

/** Whether stderr is the journal's stream: JOURNAL_STREAM is `DEV:INODE` of it (systemd.exec(5)). */
export function isJournalStream(journalStream: string | undefined, stderrFd = 2): boolean {
  const match = /^(\d+):(\d+)$/.exec(journalStream ?? '');
  if (match === null) return false;
  try {
    const stat = fstatSync(stderrFd, { bigint: true });
    return stat.dev === BigInt(match[1] ?? '') && stat.ino === BigInt(match[2] ?? '');
  } catch {
    return false;
  }
}

/** Native records to the journal's socket, false when one was not taken (the logger then uses stderr). */
function journalSender(socket: string): { send: (record: Buffer) => boolean; close: () => void } {
  const sender = createDatagramSender(socket);
  let pausedUntil = 0;
  return {
    send(record) {
      if (performance.now() < pausedUntil) return false;
      const failure = sender.send(record);
      if (failure === null) return true;
      if (failure.errno !== 'EAGAIN') pausedUntil = performance.now() + JOURNAL_PAUSE_MS;
      return false;
    },
    close: () => sender.close(),
  };
}

export interface DaemonLogOptions {
  readonly logLevel: LogLevel;
  readonly logFile: string | null;
}

export function createDaemonLogger(options: DaemonLogOptions, env: NodeJS.ProcessEnv): ClosableLogger {
  if (options.logFile !== null) return createLogger({ level: options.logLevel, file: options.logFile });
  if (!isJournalStream(env['JOURNAL_STREAM'])) return createLogger({ level: options.logLevel });
  // For tests: the journal's socket can be another one (documented in watchtabd(8) as such).
  const socket = env['WATCHTAB_JOURNAL_SOCKET'] ?? JOURNAL_SOCKET;
  const journal = journalSender(socket === '' ? JOURNAL_SOCKET : socket);
  const logger = createLogger({ level: options.logLevel, journal: true, journalSend: journal.send });
  const closeLogger = logger.close.bind(logger);
  return Object.assign(logger, {
    close: async () => {
      await closeLogger();
      journal.close();
    },
  });
}

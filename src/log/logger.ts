// The daemon's logger: winston with structured fields. Collaborators receive a `Logger`; nothing
// imports a global one, so tests assemble the same objects with a logger of their own.
import winston from 'winston';
import Transport from 'winston-transport';
import { createFileSink, type FileSink } from './file-sink.js';
import { encodeJournalRecord } from './journal-record.js';

import { LOG_LEVELS, type LogLevel } from './levels.js';

export { LOG_LEVELS, type LogLevel } from './levels.js';

export type LogFields = Readonly<Record<string, unknown>>;

/** What every part of watchtab logs through. */
export interface Logger {
  error(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  debug(message: string, fields?: LogFields): void;
  /** Opens `--log-file` again (SIGUSR1, after logrotate moved it); does nothing for stderr or the journal. */
  reopen(): void;
}

export interface LoggerOptions {
  readonly level: LogLevel;
  /** Log to this file instead of stderr (reopened by `reopen()`; a failing file is retried). */
  readonly file?: string;
  /** `<N>` syslog priority prefixes for journald on stderr (stderr is the journal's stream). */
  readonly journal?: boolean;
  /**
   * Native journal records: sends one datagram, returning whether it was taken. A record it does
   * not take goes to stderr as a prefixed line. Set only together with `journal`.
   */
  readonly journalSend?: (record: Buffer) => boolean;
}

// syslog priorities journald reads from a `<N>` prefix or a PRIORITY field.
const PRIORITY: Record<LogLevel, number> = { error: 3, warn: 4, info: 6, debug: 7 };

/** The record's own fields: winston's level, message and timestamp, and its Symbol keys, left out. */
function fieldsOf(info: winston.Logform.TransformableInfo): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(info).filter(([k]) => k !== 'level' && k !== 'message' && k !== 'timestamp'),
  );
}

function renderFields(info: winston.Logform.TransformableInfo): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(fieldsOf(info))) {
    if (v !== undefined) parts.push(`${k}=${JSON.stringify(v)}`);
  }
  return parts.length > 0 ? ` ${parts.join(' ')}` : '';
}

function prefixedLine(info: winston.Logform.TransformableInfo): string {
  return `<${PRIORITY[info.level as LogLevel]}>${String(info.message)}${renderFields(info)}`;
}

function plainLine(info: winston.Logform.TransformableInfo): string {
  return `${String(info['timestamp'])} ${info.level}: ${String(info.message)}${renderFields(info)}`;
}

/** The daemon's own logger, which it flushes before exiting. */
export interface ClosableLogger extends Logger {
  /** Flushes and closes the transport (a log file gets its last lines); always resolves. */
  close(): Promise<void>;
}

/** Appends to `--log-file` through a sink that survives a full disk and can be reopened. */
class FileTransport extends Transport {
  readonly sink: FileSink;
  constructor(file: string) {
    super();
    this.sink = createFileSink(file, { complain: (sentence) => process.stderr.write(`${sentence}\n`) });
  }
  override log(info: winston.Logform.TransformableInfo, next: () => void): void {
    this.sink.writeLine(plainLine(info));
    next();
  }
}

/** Native journal records; a record the journal does not take goes to stderr with its priority prefix. */
class JournalTransport extends Transport {
  constructor(private readonly send: (record: Buffer) => boolean) {
    super();
  }
  override log(info: winston.Logform.TransformableInfo, next: () => void): void {
    const priority = PRIORITY[info.level as LogLevel];
    const message = `${String(info.message)}${renderFields(info)}`;
    if (!this.send(encodeJournalRecord(message, priority, fieldsOf(info)))) {
      process.stderr.write(`${prefixedLine(info)}\n`);
    }
    next();
  }
}

function makeTransport(options: LoggerOptions): Transport {
  if (options.file !== undefined) return new FileTransport(options.file);
  if (options.journal === true && options.journalSend !== undefined) {
    return new JournalTransport(options.journalSend);
  }
  return new winston.transports.Console({
    stderrLevels: [...LOG_LEVELS],
    format: winston.format.printf(options.journal === true ? prefixedLine : plainLine),
  });
}

export function createLogger(options: LoggerOptions): ClosableLogger {
  const transport = makeTransport(options);
  const logger = winston.createLogger({
    level: options.level,
    levels: { error: 0, warn: 1, info: 2, debug: 3 },
    format: winston.format.timestamp(),
    transports: [transport],
  });
  // winston formats every record (timestamp, fields) before its transport drops those below the
  // level, so a debug line per event cost the event path more than the event itself: levels below
  // the one asked for are no-ops here.
  const rank: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };
  for (const level of LOG_LEVELS) {
    if (rank[level] > rank[options.level]) Object.assign(logger, { [level]: () => logger });
  }
  const sink = transport instanceof FileTransport ? transport.sink : null;
  return Object.assign(logger, {
    reopen: () => sink?.reopen(),
    close: async () => {
      // A line logged after this (a reload that ends during a stop) goes to stderr, not into a
      // closed stream, where winston would throw "write after end" and end the daemon.
      for (const level of LOG_LEVELS) {
        if (rank[level] > rank[options.level]) continue;
        Object.assign(logger, {
          [level]: (message: string, fields: LogFields = {}) => {
            const info = { level, message, timestamp: new Date().toISOString(), ...fields };
            process.stderr.write(`${plainLine(info)}\n`);
            return logger;
          },
        });
      }
      // The transport's own 'finish' comes after its last record; the logger's may come before.
      await new Promise<void>((resolve) => {
        transport.once('finish', () => resolve());
        logger.end();
      });
      await sink?.close();
    },
  });
}

/** One record kept by a memory logger. */
export interface LogRecord {
  readonly level: LogLevel;
  readonly message: string;
  readonly fields: LogFields;
}

class MemoryTransport extends Transport {
  constructor(private readonly records: LogRecord[]) {
    super();
  }
  override log(info: winston.Logform.TransformableInfo, next: () => void): void {
    this.records.push({
      level: info.level as LogLevel,
      message: String(info.message),
      fields: fieldsOf(info),
    });
    next();
  }
}

/** A real winston logger that keeps records in memory: for tests and for `--check` style tools. */
export function createMemoryLogger(level: LogLevel = 'debug'): Logger & { readonly records: LogRecord[] } {
  const records: LogRecord[] = [];
  const logger = winston.createLogger({
    level,
    levels: { error: 0, warn: 1, info: 2, debug: 3 },
    transports: [new MemoryTransport(records)],
  });
  return Object.assign(logger, { records, reopen: () => undefined });
}

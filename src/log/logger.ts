// The daemon's logger: winston with structured fields. Collaborators receive a `Logger`; nothing
// imports a global one, so tests assemble the same objects with a logger of their own.
import winston from 'winston';
import Transport from 'winston-transport';

export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export type LogFields = Readonly<Record<string, unknown>>;

/** What every part of watchtab logs through. */
export interface Logger {
  error(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  debug(message: string, fields?: LogFields): void;
}

export interface LoggerOptions {
  readonly level: LogLevel;
  /** Log to this file instead of stderr. */
  readonly file?: string;
  /** `<N>` syslog priority prefixes for journald (set when JOURNAL_STREAM is). */
  readonly journal?: boolean;
}

// syslog priorities journald reads from a `<N>` prefix.
const PRIORITY: Record<LogLevel, number> = { error: 3, warn: 4, info: 6, debug: 7 };

function renderFields(info: winston.Logform.TransformableInfo): string {
  const skip = new Set(['level', 'message', 'timestamp']);
  const parts: string[] = [];
  for (const [k, v] of Object.entries(info)) {
    if (skip.has(k) || v === undefined) continue;
    parts.push(`${k}=${typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v)}`);
  }
  return parts.length > 0 ? ` ${parts.join(' ')}` : '';
}

/** The daemon's own logger, which it flushes before exiting. */
export interface ClosableLogger extends Logger {
  /** Flushes and closes the transport (a log file gets its last lines). */
  close(): Promise<void>;
}

export function createLogger(options: LoggerOptions): ClosableLogger {
  const line = options.journal
    ? winston.format.printf(
        (info) => `<${PRIORITY[info.level as LogLevel]}>${String(info.message)}${renderFields(info)}`,
      )
    : winston.format.printf(
        (info) => `${String(info['timestamp'])} ${info.level}: ${String(info.message)}${renderFields(info)}`,
      );
  const transport = options.file
    ? new winston.transports.File({ filename: options.file })
    : new winston.transports.Console({ stderrLevels: [...LOG_LEVELS] });
  const logger = winston.createLogger({
    level: options.level,
    levels: { error: 0, warn: 1, info: 2, debug: 3 },
    format: winston.format.combine(winston.format.timestamp(), line),
    transports: [transport],
  });
  // winston formats every record (timestamp, fields) before its transport drops those below the
  // level, so a debug line per event cost the event path more than the event itself: levels below
  // the one asked for are no-ops here.
  const rank: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };
  for (const level of LOG_LEVELS) {
    if (rank[level] > rank[options.level]) Object.assign(logger, { [level]: () => logger });
  }
  return Object.assign(logger, {
    close: () =>
      new Promise<void>((resolve) => {
        // The transport's own 'finish' comes after its last write; the logger's may come before.
        transport.once('finish', () => resolve());
        logger.end();
      }),
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
    // Object.entries leaves out winston's Symbol-keyed internals.
    const fields = Object.fromEntries(
      Object.entries(info).filter(([k]) => k !== 'level' && k !== 'message' && k !== 'timestamp'),
    );
    this.records.push({ level: info.level as LogLevel, message: String(info.message), fields });
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
  return Object.assign(logger, { records });
}

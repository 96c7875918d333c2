// A stderr logger for the command-line tools that loads winston (log/logger.ts) at its first
// record at or above its level, not at start: `watchtab events` logs nothing unless something goes
// wrong or --debug is given, and winston is most of its load time. Records keep their order; once
// winston is loaded, each is written at once, as log/logger.ts's logger writes it.
import type { LogLevel } from '../log/levels.js';
import type { LogFields, Logger } from '../log/logger.js';

export interface LoggerOnUse extends Logger {
  /** Loads winston now (e.g. when every event is to be logged); resolves once loaded and flushed. */
  load(): Promise<void>;
  /** Resolves once every record logged so far is written (at once when none was). */
  flushed(): Promise<void>;
}

const RANK: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

type Given = [message: string, fields?: LogFields];

/** As log/logger.ts's createLogger({ level }) to stderr; winston is loaded at the first record. */
export function createLoggerOnUse(level: LogLevel): LoggerOnUse {
  let real: Logger | null = null;
  let loading: Promise<void> | null = null;
  // Records logged while winston loads, written in order once it has.
  const waiting: { readonly at: LogLevel; readonly given: Given }[] = [];
  const load = (): Promise<void> =>
    (loading ??= import('../log/logger.js').then((log) => {
      const logger = log.createLogger({ level });
      for (const { at, given } of waiting.splice(0)) logger[at](...given);
      real = logger;
    }));
  const record =
    (at: LogLevel) =>
    // The arguments are passed on as given: winston reads a record differently by their count.
    (...given: Given): void => {
      // Below the level nothing is loaded or kept (as createLogger makes those levels no-ops).
      if (RANK[at] > RANK[level]) return;
      if (real !== null) {
        real[at](...given);
        return;
      }
      waiting.push({ at, given });
      void load();
    };
  return {
    error: record('error'),
    warn: record('warn'),
    info: record('info'),
    debug: record('debug'),
    reopen: () => undefined,
    load,
    flushed: () => loading ?? Promise.resolve(),
  };
}

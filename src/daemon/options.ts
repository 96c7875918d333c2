// What the daemon is started with: the typed options `watchtabd`'s command line produces
// (cli/watchtabd-options.ts parses them). Here, so the daemon never imports the command line.
import type { LogLevel } from '../log/logger.js';
import type { BackendChoice } from '../watchtab/entry.js';

export interface WatchtabdOptions {
  /** Absolute: an entry's default name FILE:LINE must not depend on how FILE was spelled. */
  readonly watchtab: string;
  readonly check: boolean;
  readonly logLevel: LogLevel;
  readonly logFile: string | null;
  readonly backend: BackendChoice;
  readonly pollIntervalMs: number;
  readonly graceMs: number;
  /** Resolved: /run/watchtabd/watchtabd.sock as root, else $XDG_RUNTIME_DIR/watchtabd.sock. */
  readonly socket: string;
  /** Resolved: /var/lib/watchtabd as root, else $XDG_STATE_HOME/watchtabd (~/.local/state/watchtabd). */
  readonly stateDir: string;
}

// The command's environment, built as cron builds it and never inherited from the daemon: PATH,
// SHELL, HOME, USER and LOGNAME of the user it runs as; then the watchtab's variables (which may
// override those); then the WATCHTAB_* variables. Paths travel only here, never in the command line;
// a path that is not UTF-8 only in its escaped form (WATCHTAB_PATH_ESCAPED), never as another name.
import os from 'node:os';
import type { Entry } from '../watchtab/entry.js';
import type { FoldSummary } from './fold.js';
import { escapePath, hasEscapedBytes } from '../system/path-bytes.js';

export const CRON_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** The account whose HOME, USER and LOGNAME the command gets. */
export interface Identity {
  readonly user: string;
  readonly home: string;
}

export function buildEnv(
  entry: Entry,
  identity: Identity,
  fold: Omit<FoldSummary, 'folded'>,
): Record<string, string> {
  const env: Record<string, string> = {
    PATH: CRON_PATH,
    SHELL: '/bin/sh',
    HOME: identity.home,
    USER: identity.user,
    LOGNAME: identity.user,
    ...entry.env,
    WATCHTAB_ENTRY: entry.name,
    WATCHTAB_PATH: plainPath(fold.path),
    WATCHTAB_PATH_ESCAPED: escapePath(fold.path),
    TRIGGER: plainPath(fold.path),
    WATCHTAB_EVENT: fold.events.join(','),
    WATCHTAB_COUNT: String(fold.count),
  };
  if (fold.oldPath !== null) {
    env['WATCHTAB_OLD_PATH'] = plainPath(fold.oldPath);
    env['WATCHTAB_OLD_PATH_ESCAPED'] = escapePath(fold.oldPath);
  } else {
    delete env['WATCHTAB_OLD_PATH'];
    delete env['WATCHTAB_OLD_PATH_ESCAPED'];
  }
  if (fold.isCatchUp) env['WATCHTAB_CATCHUP'] = '1';
  else delete env['WATCHTAB_CATCHUP'];
  return env;
}

// A path whose name is not UTF-8 cannot travel as itself (the environment would get U+FFFD,
// naming no file or another one): it is empty, and only its _ESCAPED form names it.
function plainPath(path: string): string {
  return hasEscapedBytes(path) ? '' : path;
}

/** How long one look-up of the daemon's own account serves: a reload after a passwd edit sees it. */
const IDENTITY_TTL_MS = 5000;
let lastIdentity: { readonly identity: Identity; readonly atMs: number } | null = null;

/**
 * The daemon's own account, for HOME, USER and LOGNAME when an entry names no user. Looked up once
 * per few seconds, not once per entry: at start-up with 10,000 entries the look-ups (getpwuid_r,
 * reading /etc/passwd) cost 0.85 s of 8.5 (bench/RESULTS-scale.md).
 */
export function daemonIdentity(nowMs: number = performance.now()): Identity {
  if (lastIdentity !== null && nowMs - lastIdentity.atMs < IDENTITY_TTL_MS) return lastIdentity.identity;
  lastIdentity = { identity: lookUpDaemonIdentity(), atMs: nowMs };
  return lastIdentity.identity;
}

function lookUpDaemonIdentity(): Identity {
  try {
    const me = os.userInfo();
    return { user: me.username, home: me.homedir };
  } catch {
    // No passwd entry for our uid (some containers): never fall back to the daemon's environment.
    return { user: String(process.getuid?.() ?? 0), home: '/' };
  }
}

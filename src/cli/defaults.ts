// Where watchtab looks when not told: the main watchtab, the status socket and the state folder, system-wide for
// root and in the user's own folders (XDG base directories) for anyone else. Decided here, once.
import { homedir } from 'node:os';
import { join } from 'node:path';

export const DEFAULT_WATCHTAB = '/etc/watchtab';
export const ROOT_SOCKET = '/run/watchtabd/watchtabd.sock';
export const ROOT_STATE_DIR = '/var/lib/watchtabd';

/** Who is asking: the effective uid and the environment (passed in, so tests need not be root). */
export interface Invoker {
  readonly uid: number;
  readonly env: NodeJS.ProcessEnv;
}

export function currentInvoker(): Invoker {
  return { uid: process.geteuid?.() ?? 0, env: process.env };
}

/** An XDG variable when it holds an absolute path (the specification ignores any other), else null. */
function xdg(env: NodeJS.ProcessEnv, name: string): string | null {
  const value = env[name];
  return value !== undefined && value.startsWith('/') ? value : null;
}

/** /etc/watchtab as root; else $XDG_CONFIG_HOME/watchtab, that is ~/.config/watchtab. */
export function defaultWatchtab({ uid, env }: Invoker): string {
  if (uid === 0) return DEFAULT_WATCHTAB;
  const home = xdg(env, 'HOME') ?? homedir();
  return join(xdg(env, 'XDG_CONFIG_HOME') ?? join(home, '.config'), 'watchtab');
}

/** The status socket: system-wide as root, else in the user's runtime folder. */
export function defaultSocket({ uid, env }: Invoker): string {
  if (uid === 0) return ROOT_SOCKET;
  return join(xdg(env, 'XDG_RUNTIME_DIR') ?? `/run/user/${uid}`, 'watchtabd.sock');
}

/** The state folder: system-wide as root, else $XDG_STATE_HOME/watchtabd, that is ~/.local/state/watchtabd. */
export function defaultStateDir({ uid, env }: Invoker): string {
  if (uid === 0) return ROOT_STATE_DIR;
  const home = xdg(env, 'HOME') ?? homedir();
  return join(xdg(env, 'XDG_STATE_HOME') ?? join(home, '.local', 'state'), 'watchtabd');
}

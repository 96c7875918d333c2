// How a command is launched: which program Node executes, with which argv, in which folder, and as
// whom. Switching users goes through util-linux `setpriv` (or coreutils `chroot --userspec` inside a
// jail) with the user's full supplementary group list, because Node drops supplementary groups
// when it switches ids itself. Everything is an argv array: nothing is pasted into a shell string.
import { existsSync } from 'node:fs';
import { isFolder } from '../system/is-folder.js';
import { dirname, join } from 'node:path';
import * as msg from '../log/messages/run.js';
import type { Entry, RunAs } from '../watchtab/entry.js';
import type { Identity } from './env.js';

export interface Launch {
  readonly file: string;
  readonly args: readonly string[];
  /** Where Node chdirs before executing `file` (the jail's root for a chroot). */
  readonly spawnCwd: string;
  /** The working folder the command sees (inside the jail for a chroot). */
  readonly cwd: string;
  readonly identity: Identity;
}

export type LaunchPlan =
  ({ readonly kind: 'launch' } & Launch) | { readonly kind: 'refused'; readonly reason: string };

export interface LaunchContext {
  readonly isRoot: boolean;
  /** The daemon's own account: the command's identity when the entry names no user. */
  readonly self: Identity;
}

const SH = '/bin/sh';

/**
 * The switching tools by absolute path, found once in fixed system folders. Never looked up
 * through PATH: the command's environment (which the watchtab sets) must not choose what runs as
 * root — an empty PATH component would find a planted `setpriv` in the watched folder.
 */
const SYSTEM_BIN_DIRS = ['/usr/bin', '/bin', '/usr/sbin', '/sbin'] as const;

function systemTool(name: string): string {
  const found = SYSTEM_BIN_DIRS.map((dir) => `${dir}/${name}`).find((path) => existsSync(path));
  // Not installed: the absolute name still fails to start, and the log says which tool is missing.
  return found ?? `/usr/bin/${name}`;
}

export const SETPRIV = systemTool('setpriv');
export const CHROOT = systemTool('chroot');

/** Inside a chroot the command changes to its working folder itself: chroot(1) always enters `/`. */
const CD_THEN_RUN = 'cd "$1" || exit 1; exec /bin/sh -c "$2"';

function groupList(runAs: RunAs, prefix: string): string {
  const groups = runAs.groups.length > 0 ? runAs.groups : [runAs.gid];
  return groups.map((g) => `${prefix}${g}`).join(',');
}

/** /bin/sh's own arguments: the command as one argument; in a jail, after changing to the folder. */
function shellArgs(command: string, innerCwd: string | null): string[] {
  return innerCwd === null || innerCwd === '/'
    ? ['-c', command]
    : ['-c', CD_THEN_RUN, 'watchtab', innerCwd, command];
}

/** The argv for an entry, given where it runs; pure, so every combination is unit-tested. */
export function launchArgv(entry: Entry, cwd: string): { file: string; args: string[] } {
  const { runAs, chroot } = entry;
  if (chroot !== null) {
    const user =
      runAs === null ? [] : [`--userspec=+${runAs.uid}:+${runAs.gid}`, `--groups=${groupList(runAs, '+')}`];
    return { file: CHROOT, args: [...user, chroot, SH, ...shellArgs(entry.command, cwd)] };
  }
  if (runAs === null) return { file: SH, args: shellArgs(entry.command, null) };
  const user = [`--reuid=${runAs.uid}`, `--regid=${runAs.gid}`, `--groups=${groupList(runAs, '')}`];
  return { file: SETPRIV, args: [...user, '--', SH, ...shellArgs(entry.command, null)] };
}

/**
 * The default working folder outside a jail: the watch's base folder (a watched file's parent);
 * for a list of paths, the first one's (watchtab(5)), whichever path triggered the run, so the
 * command always starts in the same place.
 */
function defaultCwd(entry: Entry): string {
  const [first] = entry.paths;
  if (first.kind === 'glob') return first.base;
  return isFolder(first.path) ? first.path : dirname(first.path);
}

/** Whether a daemon that is not root already runs as the entry's user and group: nothing to switch. */
function isAlreadyRunAs(runAs: RunAs): boolean {
  const groups = process.getgroups?.() ?? [];
  return runAs.uid === process.getuid?.() && (runAs.gid === process.getgid?.() || groups.includes(runAs.gid));
}

export async function planLaunch(entry: Entry, ctx: LaunchContext): Promise<LaunchPlan> {
  // A daemon that is not root may name itself as the user (the reader accepts that): run directly.
  if (entry.runAs !== null && !ctx.isRoot && isAlreadyRunAs(entry.runAs))
    return planLaunch(
      { ...entry, runAs: null },
      { ...ctx, self: { user: entry.runAs.user, home: entry.runAs.home } },
    );
  if (entry.runAs !== null && !ctx.isRoot)
    return { kind: 'refused', reason: msg.notRootForUser(entry.runAs.user) };
  if (entry.chroot !== null && !ctx.isRoot)
    return { kind: 'refused', reason: msg.notRootForChroot(entry.chroot) };
  const identity = entry.runAs === null ? ctx.self : { user: entry.runAs.user, home: entry.runAs.home };
  const cwd = entry.chroot !== null ? (entry.cwd ?? '/') : (entry.cwd ?? defaultCwd(entry));
  const hostCwd = entry.chroot !== null ? join(entry.chroot, cwd) : cwd;
  if (!isFolder(hostCwd)) return { kind: 'refused', reason: msg.cwdMissing(hostCwd) };
  const { file, args } = launchArgv(entry, cwd);
  return { kind: 'launch', file, args, spawnCwd: entry.chroot ?? cwd, cwd, identity };
}

// Sentences for the run concern: what the runner tells the administrator about triggers, runs,
// their outcomes, their output and the runaway guard.

function seconds(ms: number): string {
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(3).replace(/0+$/, '')} s`;
}

export const RUN_STARTED = 'run started';
export const OUTPUT = 'output';
export const TRIGGER_RECEIVED = 'trigger';
export const TRIGGER_DROPPED_BUSY = 'trigger dropped: the command is running and on-busy is ignore';
export const TRIGGER_DROPPED_CLOSED = 'trigger dropped: the entry is being removed or the daemon is stopping';
export const RESTARTING = 'restarting: stopping the running command (SIGTERM to its process group)';
export const RUN_LEFT_PROCESSES =
  'the command exited but left processes in its process group; stopping them (SIGTERM, then SIGKILL after the grace)';
export const GROUP_STUCK =
  'processes of the command are still listed after SIGKILL (zombies nobody reaps?); no longer waiting for them';

// Outcomes, in words (zx's "command not found" for 127).
export const EXITED_OK = 'exited successfully';
export const exitStatus = (code: number, via: 'sh' | 'setpriv' | 'chroot' = 'sh'): string => {
  // setpriv and chroot exit 127 and 125 when they fail themselves; their message is in the output.
  if (via === 'setpriv' && code === 127)
    return 'command not found, or setpriv could not switch to the user (exit status 127; see the output above)';
  if (via === 'chroot' && code === 125)
    return 'chroot could not enter the jail or switch to the user (exit status 125; see the output above)';
  if (code === 127) return 'command not found (exit status 127)';
  if (code === 126) return 'not executable (exit status 126)';
  return `exit status ${code}`;
};
export const killedBySignal = (signal: string): string => `killed by ${signal}`;
export const timedOut = (timeoutMs: number, signal: string | null): string =>
  `timed out after ${seconds(timeoutMs)}` + (signal === null ? '' : `, ended by ${signal}`);
export const stoppedFor = (reason: 'restart' | 'shutdown', signal: string | null): string =>
  `stopped for ${reason === 'restart' ? 'a restart' : 'daemon shutdown'}` +
  (signal === null ? '' : `, ended by ${signal}`);
export const INHERITED_ENDED = 'ended (started by a previous watchtabd: its exit status is unknown)';
export const cannotStart = (reason: string): string => `cannot start: ${reason}`;

// Why a command cannot start.
export const cwdMissing = (cwd: string): string =>
  `the working folder ${cwd} does not exist or is not a folder`;
export const notRootForUser = (user: string): string =>
  `the entry runs as user ${user}, but the daemon does not run as root; not running it as anyone else`;
export const notRootForChroot = (jail: string): string =>
  `the entry runs in chroot ${jail}, which needs the daemon to run as root`;
export const spawnFailed = (program: string, errno: string): string =>
  `could not execute ${program} (${errno})` +
  (errno === 'ENOENT' && program !== '/bin/sh' ? `; is ${program} installed?` : '');

// Run endings.
export const runEnded = (words: string): string => `run ended: ${words}`;
export const runFailed = (words: string): string => `run failed: ${words}`;
export const failedAgain = (times: number, words: string): string =>
  `run failed again, ${times} times in a row now: ${words}`;
export const repeatedFailureEnded = (times: number, words: string): string =>
  `the previous failure (${words}) happened ${times} times in a row`;
export const timeoutReached = (timeoutMs: number, graceMs: number): string =>
  `timed out after ${seconds(timeoutMs)}: SIGTERM to its process group, SIGKILL after ${seconds(graceMs)}`;
export const lineCut = (capBytes: number): string =>
  `a line of output is longer than ${capBytes} bytes: it is cut there (said once per run)`;

// The runaway guard.
export const guardPaused = (burst: number, intervalMs: number): string =>
  `paused as a runaway: ${burst} runs started within ${seconds(intervalMs)} and it triggered again ` +
  `(does the command write into its own watched tree?). It resumes after ${seconds(intervalMs)}, or when ` +
  `the watchtab is reloaded, and then runs once for what happened meanwhile. To allow more, raise trigger-limit-burst (now ${burst}) ` +
  `or lower trigger-limit-interval (now ${intervalMs / 1000}) in the entry's YAML`;
export const guardPausedLoop = (burst: number, intervalMs: number): string =>
  `paused as a loop: ${burst} runs in a row were each started by changes the entry's own command made ` +
  `(the command writes what it watches; ignore-own-changes: true, or an exclude, breaks the loop). It resumes after ` +
  `${seconds(intervalMs)}, or when the watchtab is reloaded, and runs once for what happened meanwhile; while its own ` +
  `changes keep starting it, it runs at most once per pause`;
export const GUARD_PAUSED_AGAIN =
  "paused again: the run after the pause was started by the entry's own changes too";
export const outputThrottled = (perSecond: number): string =>
  `the command prints faster than the log takes (${perSecond} lines a second after a burst): lines are dropped, and counted`;
export const outputDropped = (count: number): string =>
  `${count} line${count === 1 ? '' : 's'} of output dropped (printed faster than the log takes)`;
export const guardResumed = (held: number): string =>
  `resumed after the runaway pause; running once for the ${held} trigger${held === 1 ? '' : 's'} held meanwhile`;

// Loop prevention (ignore-own-changes).
export const ownSessionsBlind = (reason: string): string =>
  `ignore-own-changes: cannot follow commands' processes through the kernel's process events (${reason}); ` +
  `a change made by a process of the command that has already exited when its event is read counts as anyone's`;
export const OWN_SESSIONS_LOSSY =
  "ignore-own-changes: the kernel dropped process events (its buffer was full); a command's change may count as anyone's until it ends";
export const OWN_CHANGE_IGNORED = "a change made by the entry's own command: ignored (ignore-own-changes)";
export const ownChangesNeedFanotify = (backend: string): string =>
  `ignore-own-changes needs the fanotify back-end, which names the process behind each change; this entry is watched with ${backend}, so its command's own changes trigger it`;

// Sees the exit of the children started by posix_spawn (spawn.ts), which libuv does not know of:
// on SIGCHLD those that ended are reaped by pid with waitpid(pid, WNOHANG) — never waitpid(-1),
// which would reap node's own children behind its back — and a slow timer looks too, in case a
// signal is missed. The timer is referenced only while such a child lives, so it keeps the process
// up exactly as long as node keeps it up for its own children.
import { constants } from 'node:os';
import { peekEndedChild, waitPid } from '../system/posix-spawn.js';

export type ExitListener = (code: number | null, signal: NodeJS.Signals | null) => void;

/** How often the children are asked anyway (a SIGCHLD coalesced with another is not lost, but cheap insurance). */
const SWEEP_MS = 1000;

const listeners = new Map<number, ExitListener>();
const status = Buffer.alloc(128);
let sweeper: NodeJS.Timeout | null = null;

const SIGNAL_NAMES = new Map<number, NodeJS.Signals>(
  Object.entries(constants.signals).map(([name, number]) => [number, name as NodeJS.Signals]),
);

/** Calls `listener` once, on the main thread, when `pid` (a child of this process) has ended and was reaped. */
export function onChildExit(pid: number, listener: ExitListener): void {
  if (listeners.size === 0) {
    process.on('SIGCHLD', sweep);
    sweeper = setInterval(sweep, SWEEP_MS);
  }
  listeners.set(pid, listener);
  // A child that ended before the SIGCHLD listener above existed sent its signal to no one (the
  // default action drops it): asked once right away, it is not left for the sweep a second later.
  queueMicrotask(() => {
    reap(pid);
    stopWhenNoneLeft();
  });
}

// Each ffi-rs call costs tens of microseconds: asking every live child at every SIGCHLD would cost
// thousands of calls with a thousand commands running. So the ended child is peeked at first
// (waitid WNOWAIT, which reaps nothing) and, while it is one of ours, reaped; only when the first
// ended child is someone else's (node's own, which libuv reaps) is each of ours asked in turn.
function sweep(): void {
  for (;;) {
    const pid = peekEndedChild();
    if (pid === 0) break;
    if (!listeners.has(pid)) {
      askEach();
      break;
    }
    reap(pid);
    if (listeners.has(pid)) break; // peeked as ended yet not reaped: never spin on it
  }
  stopWhenNoneLeft();
}

/** Without children to wait for, neither the signal listener nor the (referenced) timer stays. */
function stopWhenNoneLeft(): void {
  if (listeners.size > 0) return;
  process.off('SIGCHLD', sweep);
  if (sweeper !== null) clearInterval(sweeper);
  sweeper = null;
}

function askEach(): void {
  for (const pid of [...listeners.keys()]) reap(pid);
}

/** Reaps `pid` if it has ended, and tells its listener. */
function reap(pid: number): void {
  const listener = listeners.get(pid);
  if (listener === undefined) return;
  const result = waitPid(pid, status);
  if (result.value === 0) return; // still running
  listeners.delete(pid);
  if (result.value !== pid) {
    listener(null, null); // ECHILD: reaped elsewhere, its status unknown; it has ended all the same
    return;
  }
  const raw = status.readInt32LE(0);
  const signal = raw & 0x7f;
  if (signal === 0) listener((raw >> 8) & 0xff, null);
  else listener(null, SIGNAL_NAMES.get(signal) ?? null);
}

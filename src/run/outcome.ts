// How a run ended, as a value and in words: exit statuses become meaning at this boundary (127 is
// "command not found", signals by name), so the log never shows a bare number without its sense.
import { assertNever } from '../errors.js';
import * as msg from '../log/messages/run.js';

export type StopReason = 'restart' | 'shutdown';

/** The program the runner executed to reach /bin/sh: directly, or through a user switch or a jail. */
export type Launcher = 'sh' | 'setpriv' | 'chroot';

export type Outcome =
  | { readonly kind: 'exited'; readonly code: number; readonly via?: Launcher }
  | { readonly kind: 'signaled'; readonly signal: string }
  | { readonly kind: 'timed-out'; readonly timeoutMs: number; readonly signal: string | null }
  | { readonly kind: 'stopped'; readonly reason: StopReason; readonly signal: string | null }
  | { readonly kind: 'cannot-start'; readonly reason: string }
  /** A command a previous daemon started ended on its own: not our child, so its status is unknown. */
  | { readonly kind: 'inherited-ended' };

export function describeOutcome(o: Outcome): string {
  switch (o.kind) {
    case 'exited':
      return o.code === 0 ? msg.EXITED_OK : msg.exitStatus(o.code, o.via ?? 'sh');
    case 'signaled':
      return msg.killedBySignal(o.signal);
    case 'timed-out':
      return msg.timedOut(o.timeoutMs, o.signal);
    case 'stopped':
      return msg.stoppedFor(o.reason, o.signal);
    case 'cannot-start':
      return msg.cannotStart(o.reason);
    case 'inherited-ended':
      return msg.INHERITED_ENDED;
    default:
      return assertNever(o);
  }
}

/** A stop the runner asked for (restart, shutdown) is not a failure; everything else but 0 is. */
export function isFailure(o: Outcome): boolean {
  switch (o.kind) {
    case 'exited':
      return o.code !== 0;
    case 'stopped':
    case 'inherited-ended':
      return false;
    case 'signaled':
    case 'timed-out':
    case 'cannot-start':
      return true;
    default:
      return assertNever(o);
  }
}

/** The outcome of a process that exited on its own or by a signal nobody in the runner sent. */
export function fromExit(code: number | null, signal: string | null, via: Launcher = 'sh'): Outcome {
  if (signal !== null) return { kind: 'signaled', signal };
  return via === 'sh' ? { kind: 'exited', code: code ?? 0 } : { kind: 'exited', code: code ?? 0, via };
}

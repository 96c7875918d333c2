// One path of an entry as the pool serves it: armed with the back-end chosen for it, with its
// fall-back when that one refuses (pool's rule), and otherwise retried with back-off (from 1 s,
// doubling to 5 min, target-faults.ts) — logged once per path and cause, whichever back-end it is.
// A watch disarmed while an arm is under way releases what that arm brings.
import type {
  Armed,
  BackendCapabilities,
  EventListener,
  LeftOut,
  WatchBackend,
  WatchTarget,
} from '../watch/backend.js';
import type { Logger } from '../log/logger.js';
import { leftOutOf, type GuardedTarget, type TargetFaults } from '../watch/kernel/target-faults.js';
import { msgDaemon } from '../log/messages.js';

/** A back-end able to serve the path (its making was not refused). */
export interface Served {
  readonly backend: WatchBackend;
}

export interface PoolWatchDeps {
  readonly logger: Logger;
  readonly faults: TargetFaults<PoolWatch>;
  /**
   * What serves instead once the back-end refused to arm (logged as a new choice), or, when
   * nothing does, the failure the path is retried for, in words that fit the entry's choice.
   */
  readonly fallBack: (failure: unknown) => Served | { readonly retried: unknown };
  /** The watch is disarmed: the pool forgets it. */
  readonly forget: (watch: PoolWatch) => void;
}

export class PoolWatch implements GuardedTarget {
  readonly scope: { readonly named: string };
  private served: Served | Error;
  private current: Armed | null = null;
  private listener: EventListener | null = null;
  private onArmedLater: () => void = () => undefined;
  private isDisarmed = false;
  private hasFallenBack = false;

  constructor(
    readonly id: string,
    path: string,
    private readonly target: WatchTarget,
    served: Served | Error,
    private readonly deps: PoolWatchDeps,
  ) {
    this.scope = { named: path };
    this.served = served;
  }

  /** The back-end serving the path now (after a fall-back, the one fallen back to); null if none can. */
  get backendName(): string | null {
    return this.served instanceof Error ? null : this.served.backend.name;
  }

  /** What the serving back-end can know; null when none can serve. */
  get can(): BackendCapabilities | null {
    return this.served instanceof Error ? null : this.served.backend.can;
  }

  /** The armed watch; null while it is not armed (no back-end, or waiting for a retry). */
  get armed(): Armed | null {
    return this.current;
  }

  /** Folders left out, and the whole path while it waits for a retry (for status). */
  leftOut(): readonly LeftOut[] {
    if (this.current !== null) return this.current.leftOut?.() ?? [];
    return leftOutOf(new Map(), this.deps.faults.pending(this));
  }

  /** First arm; `onArmedLater` is called when a retry arms it after this resolved unarmed. */
  async arm(onEvent: EventListener, onArmedLater: () => void): Promise<void> {
    this.listener = onEvent;
    this.onArmedLater = onArmedLater;
    if (this.served instanceof Error) {
      // No back-end can serve it (refused for good, as the reason says): nothing to retry.
      const fields = { entry: this.id, path: this.scope.named, reason: this.served.message };
      this.deps.logger.error(msgDaemon.armFailed(), fields);
      return;
    }
    await this.attempt();
  }

  /** Due again after a failure (called by the pool's TargetFaults). */
  async retry(): Promise<void> {
    if (this.isDisarmed || this.current !== null) return;
    if (await this.attempt()) this.onArmedLater();
  }

  /** Nothing is held between a failed arm and its retry. */
  release(): void {}

  async disarm(): Promise<void> {
    this.isDisarmed = true;
    this.deps.faults.forget(this);
    this.deps.forget(this);
    const armed = this.current;
    this.current = null;
    await armed?.disarm();
  }

  /** One arm with the serving back-end, falling back once; whether it armed. */
  private async attempt(): Promise<boolean> {
    if (this.served instanceof Error || this.listener === null) return false;
    try {
      return await this.armWith(this.served.backend, this.listener);
    } catch (error) {
      const next = this.hasFallenBack ? { retried: error } : this.deps.fallBack(error);
      if ('retried' in next) {
        this.deps.faults.failed(this, next.retried);
        return false;
      }
      this.hasFallenBack = true;
      this.served = next;
      return this.attempt();
    }
  }

  private async armWith(backend: WatchBackend, listener: EventListener): Promise<boolean> {
    const armed = await backend.arm(this.target, listener);
    if (this.isDisarmed) {
      await armed.disarm(); // disarmed while it armed: nothing of it stays
      return false;
    }
    this.current = armed;
    this.deps.faults.recovered(this);
    this.deps.logger.debug(msgDaemon.armed(), {
      entry: this.id,
      path: this.scope.named,
      backend: backend.name,
    });
    return true;
  }
}

// Keeps what a target does about one path in the order the facts came, once some of it waits for
// a content judgement (content-hash.ts). A step about paths with nothing pending runs at once, as
// before; a step that returns a promise holds its paths until it settles, and later steps about
// those paths queue behind it. Other paths never wait: each path has its own tail.
export type Step = () => void | Promise<void>;

export class PathOrder {
  private readonly tails = new Map<string, Promise<void>>();
  /** Steps queued or running per held path. */
  private readonly depths = new Map<string, number>();
  /** The paths of the step running now: its own reports go out at once, not behind itself. */
  private running: readonly string[] = [];

  /** `onError` gets what a queued step threw (a step run at once throws to its caller). */
  constructor(private readonly onError: (error: unknown) => void) {}

  /** Whether a report about `path` must wait for a step before it. */
  isHeld(path: string): boolean {
    return this.tails.size > 0 && this.tails.has(path) && !this.running.includes(path);
  }

  /** Whether a step about `paths` would wait (else run() runs it at once, in the caller's turn). */
  mustWait(paths: readonly string[]): boolean {
    if (this.tails.size === 0) return false;
    for (const p of paths) if (this.isHeld(p)) return true;
    return false;
  }

  /** How many steps hold `path` now (a flood of facts about one path shows here). */
  depth(path: string): number {
    return this.depths.get(path) ?? 0;
  }

  /** Resolves once every step queued so far has settled. */
  async idle(): Promise<void> {
    await Promise.all(this.tails.values());
  }

  // Runs once per kernel event: nothing is allocated when nothing waits (the common case).
  run(paths: readonly string[], step: Step): void {
    if (!this.mustWait(paths)) {
      const result = this.within(paths, step);
      if (result !== undefined) this.hold(paths, result);
      return;
    }
    const waits = paths.flatMap((p) => (this.isHeld(p) ? [this.tails.get(p) as Promise<void>] : []));
    this.hold(
      paths,
      Promise.all(waits).then(() => this.within(paths, step)),
    );
  }

  private within(paths: readonly string[], step: Step): void | Promise<void> {
    const outer = this.running;
    this.running = paths; // a step's paths are a handful: includes() beats building a Set
    try {
      return step();
    } finally {
      this.running = outer;
    }
  }

  private hold(paths: readonly string[], work: Promise<void>): void {
    for (const p of paths) this.depths.set(p, this.depth(p) + 1);
    const tail: Promise<void> = work.catch(this.onError).then(() => {
      for (const p of paths) {
        const left = this.depth(p) - 1;
        if (left > 0) this.depths.set(p, left);
        else this.depths.delete(p);
        if (this.tails.get(p) === tail) this.tails.delete(p);
      }
    });
    for (const p of paths) this.tails.set(p, tail);
  }
}

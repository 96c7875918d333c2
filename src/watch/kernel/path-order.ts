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
  private running: ReadonlySet<string> = new Set();

  /** `onError` gets what a queued step threw (a step run at once throws to its caller). */
  constructor(private readonly onError: (error: unknown) => void) {}

  /** Whether a report about `path` must wait for a step before it. */
  isHeld(path: string): boolean {
    return this.tails.has(path) && !this.running.has(path);
  }

  /** How many steps hold `path` now (a flood of facts about one path shows here). */
  depth(path: string): number {
    return this.depths.get(path) ?? 0;
  }

  /** Resolves once every step queued so far has settled. */
  async idle(): Promise<void> {
    await Promise.all(this.tails.values());
  }

  run(paths: readonly string[], step: Step): void {
    const waits = paths.flatMap((p) => (this.isHeld(p) ? [this.tails.get(p) as Promise<void>] : []));
    if (waits.length === 0) {
      const result = this.within(paths, step);
      if (result !== undefined) this.hold(paths, result);
      return;
    }
    this.hold(
      paths,
      Promise.all(waits).then(() => this.within(paths, step)),
    );
  }

  private within(paths: readonly string[], step: Step): void | Promise<void> {
    const outer = this.running;
    this.running = new Set(paths);
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

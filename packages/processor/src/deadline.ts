/**
 * One point in time that several steps share: each step gets what is left of it, so a flush
 * followed by a sink shutdown costs the deadline once, not once per step.
 */
export class Deadline {
  private constructor(readonly at: number) {}

  /** A deadline `ms` from now. */
  static in(ms: number): Deadline {
    return new Deadline(Date.now() + Math.max(0, ms));
  }

  /** Milliseconds left, never negative. */
  remaining(): number {
    return Math.max(0, this.at - Date.now());
  }

  get passed(): boolean {
    return this.remaining() === 0;
  }

  /**
   * Resolves true when `work` settled (either way) before the deadline, false when the deadline
   * came first. The timer is unref'd unless `ref` is set: waiting never holds a process open by itself.
   */
  race(work: Promise<unknown>, options: { ref?: boolean } = {}): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), this.remaining());
      if (options.ref !== true) timer.unref?.();
      const done = (): void => {
        clearTimeout(timer);
        resolve(true);
      };
      work.then(done, done);
    });
  }
}

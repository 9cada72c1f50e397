/**
 * Coalesces progress: checks finish concurrently, but only the newest state is sent, one write at a time, so a
 * "3/6" edit can never land after "4/6".
 */
export class ProgressUpdater<S> {
  private latest: S | undefined;
  private running: Promise<void> | undefined;

  constructor(private readonly write: (state: S) => Promise<void>) {}

  push(state: S): void {
    this.latest = state;
    this.running ??= this.drain().finally(() => {
      this.running = undefined;
    });
  }

  private async drain(): Promise<void> {
    while (this.latest !== undefined) {
      const s = this.latest;
      this.latest = undefined;
      try {
        await this.write(s);
      } catch {
        /* a lost progress edit is cosmetic; the final report follows */
      }
    }
  }

  async flush(): Promise<void> {
    this.latest = undefined;
    await this.running;
  }
}

/** Work still running (requests being answered, background invocations), so that closing can wait for its writes. */
export class InFlight {
  private readonly running = new Set<Promise<unknown>>();

  track(work: Promise<unknown>) {
    const tracked = work.finally(() => this.running.delete(tracked));
    this.running.add(tracked);
  }

  /** How much is running now. */
  get size() {
    return this.running.size;
  }

  /** Resolves when what is running now has finished (work started meanwhile is not waited for). */
  settled(): Promise<unknown> {
    return Promise.all(this.running);
  }
}

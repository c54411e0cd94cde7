/**
 * Work that outlives its request: a streamed reply keeps being written and
 * stored after its client has gone. It is tracked here so that shutdown (and
 * a test) can wait until every such reply is safely in Postgres.
 */
export class BackgroundWork {
  private readonly running = new Set<Promise<unknown>>();

  track<T>(work: Promise<T>): Promise<T> {
    this.running.add(work);
    const forget = () => this.running.delete(work);
    work.then(forget, forget);
    return work;
  }

  get size(): number {
    return this.running.size;
  }

  /** Resolves once nothing tracked is running (including work started while waiting). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }
}

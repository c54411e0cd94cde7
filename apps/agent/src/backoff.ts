/**
 * The worker's one retry schedule (the clock's writes, the transcript's writes, ending the session
 * on time-up): wait `firstMs` after the first failure, twice as long after each further one up to
 * `maxMs`, and start again from `firstMs` after a success. The loops around it decide what to try,
 * when to give up and how to wait (the clock's wait can be cut short); this decides how long.
 */
export class Backoff {
  /** Failures since the last success. */
  failures = 0;
  private delayMs: number;

  constructor(
    private readonly firstMs: number,
    private readonly maxMs: number,
  ) {
    this.delayMs = firstMs;
  }

  /** A failure: how long to wait before the next try. */
  next(): number {
    this.failures++;
    const delay = this.delayMs;
    this.delayMs = Math.min(this.maxMs, delay * 2);
    return delay;
  }

  /** A success: the next failure waits `firstMs` again. */
  reset(): void {
    this.failures = 0;
    this.delayMs = this.firstMs;
  }
}

/**
 * Waking readers when a report is done: one LISTEN on `grade_report_done` per
 * process (postgres.js keeps it on its own connection and re-listens after a
 * reconnect), fanned out to whoever waits on that session. No polling.
 */
import type { Sql } from '@sp/db';
import { REPORT_DONE_CHANNEL } from './report-store.js';

/** Interest in one session's report; `next()` resolves on its next notification, a timeout or an abort. */
export class ReportWatch {
  #notified = false;
  #wake: (() => void) | null = null;

  constructor(readonly cancel: () => void) {}

  notify() {
    this.#notified = true;
    this.#wake?.();
  }

  next(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    if (this.#notified || signal?.aborted) {
      this.#notified = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        this.#wake = null;
        this.#notified = false;
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, timeoutMs));
      signal?.addEventListener('abort', done, { once: true });
      this.#wake = done;
    });
  }
}

export class ReportNotifications {
  readonly #watches = new Map<string, Set<ReportWatch>>();
  #listening: Promise<unknown> | null = null;

  constructor(private readonly sql: Sql) {}

  /** Registers interest before the caller reads the report, so a completion in between is not missed. */
  async watch(sessionId: string): Promise<ReportWatch> {
    await this.#listen();
    const watch: ReportWatch = new ReportWatch(() => {
      const set = this.#watches.get(sessionId);
      set?.delete(watch);
      if (set?.size === 0) this.#watches.delete(sessionId);
    });
    const set = this.#watches.get(sessionId) ?? new Set();
    set.add(watch);
    this.#watches.set(sessionId, set);
    return watch;
  }

  /**
   * Reads until `done` holds, waking on each notification for the session
   * (never polling), or gives up at the timeout or abort with the last read.
   */
  async until<T>(
    sessionId: string,
    read: () => Promise<T>,
    done: (value: T) => boolean,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<T> {
    const watch = await this.watch(sessionId);
    try {
      const deadline = Date.now() + timeoutMs;
      let value = await read();
      while (!done(value) && Date.now() < deadline && !signal?.aborted) {
        await watch.next(deadline - Date.now(), signal);
        value = await read();
      }
      return value;
    } finally {
      watch.cancel();
    }
  }

  /** Sessions someone is waiting on (for tests and metrics). */
  get waiting(): number {
    return this.#watches.size;
  }

  #listen() {
    this.#listening ??= this.sql
      .listen(REPORT_DONE_CHANNEL, (sessionId) => {
        for (const watch of this.#watches.get(sessionId) ?? []) watch.notify();
      })
      .catch((error) => {
        this.#listening = null;
        throw error;
      });
    return this.#listening;
  }
}

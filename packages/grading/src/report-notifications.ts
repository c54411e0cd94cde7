/**
 * Waking readers when a report is done: one LISTEN on `grade_report_done` per
 * process (postgres.js keeps it on its own connection and re-listens after a
 * reconnect), fanned out to whoever waits on that session. Every (re)listen
 * wakes every waiter to read again, and while anyone waits they re-read at a
 * bounded interval too, so a wake-up lost in an outage costs at most that.
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

export interface ReportNotificationOptions {
  /**
   * While anyone waits, every waiter re-reads this often: the safety net for
   * a notification lost while the listening connection was down.
   */
  recheckMs?: number;
}

export class ReportNotifications {
  readonly #watches = new Map<string, Set<ReportWatch>>();
  #listening: Promise<unknown> | null = null;
  #ticker: NodeJS.Timeout | null = null;
  readonly #recheckMs: number;

  constructor(
    private readonly sql: Sql,
    options: ReportNotificationOptions = {},
  ) {
    this.#recheckMs = options.recheckMs ?? 10_000;
  }

  /** Registers interest before the caller reads the report, so a completion in between is not missed. */
  async watch(sessionId: string): Promise<ReportWatch> {
    await this.#listen();
    const watch: ReportWatch = new ReportWatch(() => {
      const set = this.#watches.get(sessionId);
      set?.delete(watch);
      if (set?.size === 0) this.#watches.delete(sessionId);
      if (this.#watches.size === 0 && this.#ticker) {
        clearInterval(this.#ticker);
        this.#ticker = null;
      }
    });
    const set = this.#watches.get(sessionId) ?? new Set();
    set.add(watch);
    this.#watches.set(sessionId, set);
    this.#ticker ??= setInterval(() => void this.#renew(), this.#recheckMs).unref();
    return watch;
  }

  /**
   * Reads until `done` holds, waking on each notification for the session,
   * on each (re)subscription of the listener and at least every `recheckMs`,
   * or gives up at the timeout or abort with the last read. A re-read that
   * fails (the database away) is not the answer: the wait goes on.
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
        value = await read().catch(() => value);
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

  #wakeAll() {
    for (const set of this.#watches.values()) for (const watch of set) watch.notify();
  }

  #listen() {
    this.#listening ??= this.sql
      .listen(
        REPORT_DONE_CHANNEL,
        (sessionId) => {
          for (const watch of this.#watches.get(sessionId) ?? []) watch.notify();
        },
        // Listening (again): anything that completed while we were not is read now.
        () => this.#wakeAll(),
      )
      .catch((error) => {
        this.#listening = null;
        throw error;
      });
    return this.#listening;
  }

  /**
   * The safety net: every waiter reads again, and a LISTEN that never got
   * going is tried again. (One that drops later is re-established by
   * postgres.js, which then wakes everyone through the `onlisten` callback.)
   */
  async #renew() {
    this.#wakeAll();
    if (!this.#listening) await this.#listen().catch(() => {});
  }
}

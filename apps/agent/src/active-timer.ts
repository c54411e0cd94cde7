/**
 * The active timer of one session, as the worker runs it. The clock runs while
 * the student is in the room with the patient: a segment opens on arrival and
 * closes on departure, and a heartbeat persists the running total so a crash
 * loses at most one heartbeat interval. Between writes the countdown runs on a
 * local timer, so the ending comes on time even while the database is away.
 *
 * The room's word on the student is the intended state; the row is brought in
 * line with it. A failed open or close is retried with backoff, and every
 * heartbeat checks the row again (a departure whose close never landed is
 * closed again, as of the moment the student left).
 */
import { secondsUntilWarning } from '@sp/core';
import { type ClockTarget, closeSegment, type Database, heartbeat, openSegment, type Session, sessions } from '@sp/db';
import { eq } from 'drizzle-orm';
import type { Logger } from 'pino';
import { Backoff } from './backoff.js';

export interface TimerOptions {
  heartbeatMs: number;
  /** When to warn before the end; 0 for no warning. */
  warningBeforeEndMs: number;
  /** First retry delay after a failed open or close; doubles up to the heartbeat interval. */
  retryMs?: number;
  /** Told about each heartbeat write: how long it took and whether it wrote a row (bench). */
  onHeartbeat?: (timing: { ms: number; written: boolean }) => void;
}

export interface TimerEvents {
  /** Once per job, when the warning time is reached. */
  onWarning(secondsLeft: number): void;
  /** The active time is used up. */
  onExpired(): void;
  /** The session ended elsewhere (the API's /end), moved to another room, or moved to the text channel. */
  onGone(reason: string): void;
}

/** What `connect()` achieved. */
export type Contact =
  /** The segment opened now: the clock runs. */
  | { kind: 'opened'; session: Session }
  /** The segment was already open. */
  | { kind: 'already_connected' }
  /** The session ended or moved; `onGone` has been told. */
  | { kind: 'gone'; reason: string }
  /** The timer was stopped, or the student left again before the segment could open. */
  | { kind: 'stopped' };

type ClockRow = Pick<Session, 'status' | 'endReason' | 'roomName' | 'channel' | 'connectedSince'>;

/** Why this job must leave the session, if it must. */
export function goneReason(row: ClockRow | undefined, roomName: string): string | null {
  if (!row) return 'session no longer exists';
  if (row.status === 'ended') return `session ended (${row.endReason})`;
  if (row.roomName !== roomName) return 'session moved to another room';
  if (row.channel === 'text') return 'session moved to the text channel';
  return null;
}

export class ActiveTimer {
  /** The room's word: is the student with the patient? */
  private present = false;
  /** The database confirmed that our segment is open. */
  private segmentOpen = false;
  /** An open was sent (it may have landed even if its answer was lost), so a departure must close it. */
  private segmentMayBeOpen = false;
  /** When the student left, until that departure is written. */
  private leftAt: Date | undefined;
  private finished = false;
  private warned = false;
  private ticker: NodeJS.Timeout | undefined;
  private deadline: NodeJS.Timeout | undefined;
  private warning: NodeJS.Timeout | undefined;
  /** Clock writes happen one at a time, in the order the room reported them. */
  private writes: Promise<unknown> = Promise.resolve();
  private tickQueued = false;
  /** Cuts a retry pause short (the student came or went, or the timer stopped). */
  private wake: (() => void) | undefined;
  private readonly retryMs: number;

  constructor(
    private readonly db: Database,
    private readonly target: Required<ClockTarget>,
    private readonly options: TimerOptions,
    private readonly events: TimerEvents,
    private readonly logger: Logger,
  ) {
    this.retryMs = options.retryMs ?? 200;
  }

  /** Starts the heartbeat; it also notices an ending elsewhere while the student is away. */
  start(): void {
    if (this.finished) return;
    this.ticker ??= setInterval(() => this.tick(), this.options.heartbeatMs);
  }

  /** The student is with the patient: the segment opens (retried until it does) and the countdown runs. */
  connect(): Promise<Contact> {
    if (this.finished) return Promise.resolve({ kind: 'stopped' });
    this.present = true;
    this.wakeUp();
    this.start();
    return this.serialized(() => this.openUntilDone());
  }

  /** The student left: the countdown pauses now, the segment closes (retried until it does), the session stays active. */
  disconnect(): Promise<void> {
    if (this.finished || !this.present) return this.idle();
    this.present = false;
    this.leftAt ??= new Date();
    this.pauseCountdown();
    this.wakeUp();
    return this.serialized(() => this.closeUntilDone());
  }

  /** Stops every timer and retry; writes already under way finish. */
  stop(): void {
    this.finished = true;
    this.pauseCountdown();
    clearInterval(this.ticker);
    this.ticker = undefined;
    this.wakeUp();
  }

  /** Settles once the writes queued so far are done. */
  idle(): Promise<void> {
    return this.writes.then(() => {});
  }

  private serialized<T>(write: () => Promise<T>): Promise<T> {
    const next = this.writes.then(write, write);
    this.writes = next.catch(() => {});
    return next;
  }

  private async openUntilDone(): Promise<Contact> {
    const backoff = this.backoff();
    for (;;) {
      if (this.finished || !this.present) return { kind: 'stopped' };
      if (this.segmentOpen) return { kind: 'already_connected' };
      const delay = backoff.next();
      try {
        this.segmentMayBeOpen = true;
        const row = await openSegment(this.db, this.target);
        if (row) return this.opened(row);
        const reason = goneReason(await this.readClock(), this.target.roomName);
        if (reason) {
          this.leave(reason);
          return { kind: 'gone', reason };
        }
      } catch (error) {
        this.logger.warn(
          { session_id: this.target.sessionId, err: error, retry_in_ms: delay },
          'opening the clock segment failed; retrying',
        );
      }
      await this.pause(delay);
    }
  }

  private async closeUntilDone(): Promise<void> {
    const backoff = this.backoff();
    while (!this.finished) {
      if (!this.segmentMayBeOpen) {
        this.leftAt = undefined; // left before any open was sent: nothing to close
        return;
      }
      const delay = backoff.next();
      try {
        return await this.closeNow();
      } catch (error) {
        this.logger.warn(
          { session_id: this.target.sessionId, err: error, retry_in_ms: delay },
          'closing the clock segment failed; retrying',
        );
      }
      await this.pause(delay);
    }
  }

  private opened(row: Session): Contact {
    this.segmentOpen = true;
    this.log(row, 'segment opened');
    // Left while the write was under way: the close queued behind it follows.
    if (!this.present) return { kind: 'stopped' };
    this.schedule(row);
    return { kind: 'opened', session: row };
  }

  private async closeNow(): Promise<void> {
    const row = await closeSegment(this.db, this.target, this.leftAt);
    this.segmentOpen = false;
    this.segmentMayBeOpen = false;
    this.leftAt = undefined;
    if (row) return this.log(row, 'segment closed');
    const reason = goneReason(await this.readClock(), this.target.roomName);
    if (reason) this.leave(reason);
  }

  private tick(): void {
    // One heartbeat waits at most: ticks do not pile up behind a write that is retrying.
    if (this.finished || this.tickQueued) return;
    this.tickQueued = true;
    void this.serialized(async () => {
      this.tickQueued = false;
      if (this.finished) return;
      try {
        await this.reconcile();
      } catch (error) {
        // The local countdown keeps running; the next heartbeat writes the total again.
        this.logger.warn({ session_id: this.target.sessionId, err: error }, 'heartbeat failed; retrying');
      }
    });
  }

  /** One heartbeat: persist the running total, or bring the row back in line with the room. */
  private async reconcile(): Promise<void> {
    if (this.present) {
      const started = performance.now();
      const row = await heartbeat(this.db, this.target);
      this.options.onHeartbeat?.({ ms: performance.now() - started, written: row !== null });
      if (row?.channel === 'voice') {
        this.segmentOpen = true;
        return this.schedule(row);
      }
    }
    const row = await this.readClock();
    const reason = goneReason(row, this.target.roomName);
    if (reason) return this.leave(reason);
    if (this.present && !this.finished) {
      // Nothing was written: the segment is not open (its opening never landed), so open it now.
      this.segmentOpen = false;
      this.segmentMayBeOpen = true;
      const opened = await openSegment(this.db, this.target);
      if (opened) this.opened(opened);
    } else if (this.segmentMayBeOpen && row?.connectedSince) {
      // The student left but the row still shows them connected: close it again, as of their departure.
      await this.closeNow();
    }
  }

  private async readClock(): Promise<ClockRow | undefined> {
    const [row] = await this.db
      .select({
        status: sessions.status,
        endReason: sessions.endReason,
        roomName: sessions.roomName,
        channel: sessions.channel,
        connectedSince: sessions.connectedSince,
      })
      .from(sessions)
      .where(eq(sessions.id, this.target.sessionId));
    return row;
  }

  /** The session ended or moved: this job must leave. */
  private leave(reason: string): void {
    if (this.finished) return;
    this.stop();
    this.events.onGone(reason);
  }

  /** Re-arms the warning and the end from the total just written. */
  private schedule(row: Session): void {
    if (this.finished) return;
    this.pauseCountdown();
    const remainingMs = Math.max(0, (row.durationLimit - row.elapsedActiveTime) * 1000);
    const { warningBeforeEndMs } = this.options;
    const untilWarning = secondsUntilWarning(remainingMs / 1000, warningBeforeEndMs / 1000);
    if (!this.warned && untilWarning !== null) {
      this.warning = setTimeout(() => {
        this.warned = true;
        this.events.onWarning(Math.round(Math.min(remainingMs, warningBeforeEndMs) / 1000));
      }, untilWarning * 1000);
    }
    this.deadline = setTimeout(() => {
      if (this.finished) return;
      this.stop();
      this.events.onExpired();
    }, remainingMs);
  }

  private pauseCountdown(): void {
    clearTimeout(this.deadline);
    clearTimeout(this.warning);
    this.deadline = undefined;
    this.warning = undefined;
  }

  /** Retries wait `retryMs`, doubling up to one heartbeat. */
  private backoff(): Backoff {
    return new Backoff(this.retryMs, this.options.heartbeatMs);
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  private wakeUp(): void {
    this.wake?.();
    this.wake = undefined;
  }

  private log(row: Session, msg: string): void {
    this.logger.info(
      {
        session_id: row.id,
        tenant_id: row.tenantId,
        elapsed_active_time: row.elapsedActiveTime,
        duration_limit: row.durationLimit,
      },
      msg,
    );
  }
}

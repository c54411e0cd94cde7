/**
 * The active timer of one session, as the worker runs it. The clock runs while
 * the student is in the room with the patient: a segment opens on arrival and
 * closes on departure, and a heartbeat persists the running total so a crash
 * loses at most one heartbeat interval. Between writes the countdown runs on a
 * local timer, so the ending comes on time even while the database is away.
 */
import { type ClockTarget, closeSegment, type Database, heartbeat, openSegment, type Session, sessions } from '@sp/db';
import { eq } from 'drizzle-orm';
import type { Logger } from 'pino';

export interface TimerOptions {
  heartbeatMs: number;
  /** When to warn before the end; 0 for no warning. */
  warningBeforeEndMs: number;
}

export interface TimerEvents {
  /** Once per job, when the warning time is reached. */
  onWarning(secondsLeft: number): void;
  /** The active time is used up. */
  onExpired(): void;
  /** The session ended elsewhere (the API's /end) or moved to another room. */
  onGone(reason: string): void;
}

export class ActiveTimer {
  private connected = false;
  private finished = false;
  private warned = false;
  private ticker: NodeJS.Timeout | undefined;
  private deadline: NodeJS.Timeout | undefined;
  private warning: NodeJS.Timeout | undefined;
  /** Clock writes happen one at a time, in the order the room reported them. */
  private writes: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly db: Database,
    private readonly target: Required<ClockTarget>,
    private readonly options: TimerOptions,
    private readonly events: TimerEvents,
    private readonly logger: Logger,
  ) {}

  get isConnected(): boolean {
    return this.connected;
  }

  /** The student is with the patient: the segment opens and the countdown runs. Null when the session is gone. */
  connect(): Promise<Session | null> {
    return this.serialized(async () => {
      if (this.finished || this.connected) return null;
      const row = await openSegment(this.db, this.target);
      if (!row) {
        await this.noticeGone();
        return null;
      }
      this.connected = true;
      this.log(row, 'segment opened');
      this.schedule(row);
      this.ticker ??= setInterval(() => void this.tick(), this.options.heartbeatMs);
      return row;
    });
  }

  /** The student left: the segment closes, the countdown pauses, the session stays active. */
  disconnect(): Promise<void> {
    return this.serialized(async () => {
      if (this.finished || !this.connected) return;
      this.connected = false;
      this.pauseCountdown();
      const row = await closeSegment(this.db, this.target);
      if (row) this.log(row, 'segment closed');
      else await this.noticeGone();
    });
  }

  /** Stops every timer without writing (the job is over, or was abandoned). */
  stop(): void {
    this.finished = true;
    this.pauseCountdown();
    clearInterval(this.ticker);
    this.ticker = undefined;
  }

  private serialized<T>(write: () => Promise<T>): Promise<T> {
    const next = this.writes.then(write, write);
    this.writes = next.catch(() => {});
    return next;
  }

  private tick(): Promise<void> {
    return this.serialized(async () => {
      if (this.finished) return;
      try {
        if (!this.connected) return await this.noticeGone();
        const row = await heartbeat(this.db, this.target);
        if (row) this.schedule(row);
        else await this.noticeGone();
      } catch (error) {
        // The local countdown keeps running; the next heartbeat rewrites the total.
        this.logger.warn({ session_id: this.target.sessionId, err: error }, 'heartbeat failed; retrying');
      }
    });
  }

  /** Has the session ended or moved rooms since we last wrote? Then the job must leave. */
  private async noticeGone(): Promise<void> {
    const [row] = await this.db
      .select({
        status: sessions.status,
        endReason: sessions.endReason,
        roomName: sessions.roomName,
        channel: sessions.channel,
      })
      .from(sessions)
      .where(eq(sessions.id, this.target.sessionId));
    let reason: string | null = null;
    if (!row) reason = 'session no longer exists';
    else if (row.status === 'ended') reason = `session ended (${row.endReason})`;
    else if (row.roomName !== this.target.roomName) reason = 'session moved to another room';
    else if (row.channel === 'text') reason = 'session moved to the text channel';
    if (!reason) return;
    this.stop();
    this.events.onGone(reason);
  }

  /** Re-arms the warning and the end from the total just written. */
  private schedule(row: Session): void {
    this.pauseCountdown();
    const remainingMs = Math.max(0, (row.durationLimit - row.elapsedActiveTime) * 1000);
    const { warningBeforeEndMs } = this.options;
    if (!this.warned && warningBeforeEndMs > 0 && remainingMs > 0) {
      this.warning = setTimeout(
        () => {
          this.warned = true;
          this.events.onWarning(Math.round(Math.min(remainingMs, warningBeforeEndMs) / 1000));
        },
        Math.max(0, remainingMs - warningBeforeEndMs),
      );
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

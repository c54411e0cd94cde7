/**
 * The endings any session route may have to apply on its way, voice (sessions/) or text
 * (text-channel/) alike; each ends the session in Postgres, then closes its LiveKit room.
 *
 * Sessions that never start, on read: a pending session nobody joined within
 * PENDING_TIMEOUT_SECONDS of its room opening is ended `pending_timeout` the
 * moment the API looks at it (the pg-boss sweep does the same every minute
 * for sessions nobody looks at). Not graded, not an attempt; its room closes.
 */
import { type GradedEndReason, pendingExpired, resumeFailedError, sessionEndedError } from '@sp/core';
import { endSession, expirePendingSessions, type Session, sessions } from '@sp/db';
import { eq } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Services } from './deps.js';
import { closeRoom } from './room-closing.js';

type Needs = Pick<Services, 'db' | 'livekit' | 'config' | 'now'>;

export function pendingTimedOut({ config, now }: Pick<Services, 'config' | 'now'>, row: Session): boolean {
  return pendingExpired(row, now(), config.PENDING_TIMEOUT_SECONDS);
}

/**
 * Ends `pending_timeout` those of `sessionIds` nobody joined within the
 * pending timeout (judged again by the database, so a student joining at
 * that moment keeps the session), and closes their rooms. Every pending
 * expiry of the API goes through here or, for the minute sweep's, `pendingEnded`.
 */
export async function expireTimedOut(services: Needs, sessionIds: string[], log: Logger): Promise<Session[]> {
  const { db, livekit, config, now } = services;
  const cutoff = new Date(now().getTime() - config.PENDING_TIMEOUT_SECONDS * 1000);
  const ended = await expirePendingSessions(db, cutoff, { sessionIds });
  await pendingEnded(livekit, ended, log);
  return ended;
}

/** Sessions just ended `pending_timeout`: each is logged and its room closed. */
export async function pendingEnded(livekit: Services['livekit'], ended: Session[], log: Logger): Promise<void> {
  for (const row of ended) {
    log.info({ session_id: row.id, tenant_id: row.tenantId, end_reason: 'pending_timeout' }, 'session never started');
    await closeRoom(livekit, row.roomName, log);
  }
}

/** The rows as they are once every timed-out pending one among them has been ended. */
export async function settlePending(services: Needs, rows: Session[], log: Logger): Promise<Session[]> {
  const due = rows.filter((row) => pendingTimedOut(services, row));
  if (due.length === 0) return rows;
  const { db } = services;
  const ended = await expireTimedOut(
    services,
    due.map((row) => row.id),
    log,
  );
  const byId = new Map(ended.map((row) => [row.id, row]));
  // A row not ended here changed under us (the student joined, or another read ended it): read it again.
  const settled = await Promise.all(
    rows.map(async (row) => {
      if (byId.has(row.id)) return byId.get(row.id) as Session;
      if (!due.includes(row)) return row;
      const [current] = await db.select().from(sessions).where(eq(sessions.id, row.id));
      return current ?? row;
    }),
  );
  return settled;
}

export async function settleOne(services: Needs, row: Session, log: Logger): Promise<Session> {
  const [settled] = await settlePending(services, [row], log);
  return settled ?? row;
}

/**
 * A resume (or a text turn) failed a check: the session ends with that reason
 * (grading enqueued by endSession, exactly once whoever races), its room
 * closes, and the error to answer is returned.
 */
export async function endAfterFailedCheck(
  { db, livekit }: Pick<Services, 'db' | 'livekit'>,
  session: Session,
  reason: Exclude<GradedEndReason, 'user_ended'>,
  log: Logger,
) {
  const outcome = await endSession(db, session.id, reason);
  if (!outcome.ended) return sessionEndedError(outcome.session?.endReason ?? null);
  log.info({ end_reason: reason }, 'session ended by a failed check');
  await closeRoom(livekit, outcome.session.roomName, log);
  return resumeFailedError(reason);
}

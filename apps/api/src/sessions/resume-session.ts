/**
 * A resume: the session must be the caller's and pass the resume checks.
 * A failed check ends it (grading is enqueued by endSession) and answers 410.
 * The reconnect is counted by one conditional UPDATE, so parallel resumes can
 * never push the count past the limit, and the new room is opened before that
 * UPDATE commits, so LiveKit being down costs no reconnect.
 */
import { type EndReason, newRoomName, notFound, resumeFailedError, resumeVerdict, sessionEndedError } from '@sp/core';
import { endSession, type Session, sessions } from '@sp/db';
import { and, eq, lt, ne, sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Caller } from '../app-context.js';
import type { Services } from '../deps.js';
import { closeRoom } from './room-closing.js';
import { transcriptOf, visibleSession } from './session-store.js';

export async function resumeSession(
  services: Pick<Services, 'db' | 'livekit' | 'config' | 'now'>,
  caller: Caller,
  caseStudyId: string,
  sessionId: string,
  log: Logger,
) {
  const { db, livekit, config, now } = services;
  const limits = { maxReconnects: config.MAX_RECONNECTS, reconnectWindowSeconds: config.RECONNECT_WINDOW_SECONDS };
  const session = await visibleSession(db, caller, sessionId);
  if (!session || session.contentId !== caseStudyId) throw notFound('Session');
  const sessionLog = log.child({ session_id: session.id, tenant_id: session.tenantId });
  const verdict = resumeVerdict(session, now(), limits);
  if (verdict.kind === 'already_ended') throw sessionEndedError(verdict.endReason);
  if (verdict.kind === 'end') throw await endAfterFailedCheck(services, session, verdict.endReason, sessionLog);

  const roomName = newRoomName();
  const resumed = await db.transaction(async (tx) => {
    const [row] = await tx
      .update(sessions)
      .set({ reconnectCount: sql`${sessions.reconnectCount} + 1`, roomName, channel: 'voice', updatedAt: sql`now()` })
      .where(
        and(
          eq(sessions.id, session.id),
          ne(sessions.status, 'ended'),
          lt(sessions.reconnectCount, limits.maxReconnects),
        ),
      )
      .returning();
    if (row) {
      await livekit.createRoom({
        roomName,
        tenantId: row.tenantId,
        userId: row.userId,
        sessionId: row.id,
        caseStudyId: row.contentId,
      });
    }
    return row ?? null;
  });
  if (!resumed) throw await refuseAfterLostRace(services, caller, session.id, limits, sessionLog);

  // The previous room may still hold the old agent; one live room per session.
  await closeRoom(livekit, session.roomName, sessionLog);
  return { session: resumed, transcript: await transcriptOf(db, resumed.id) };
}

/** Another resume or an ending got there first: judge the session as it is now. */
async function refuseAfterLostRace(
  services: Pick<Services, 'db' | 'livekit' | 'now'>,
  caller: Caller,
  sessionId: string,
  limits: { maxReconnects: number; reconnectWindowSeconds: number },
  log: Logger,
) {
  const current = await visibleSession(services.db, caller, sessionId);
  if (!current) return notFound('Session');
  const verdict = resumeVerdict(current, services.now(), limits);
  if (verdict.kind === 'already_ended') return sessionEndedError(verdict.endReason);
  // The UPDATE failed on an active session, so the reconnects are used up.
  const reason = verdict.kind === 'end' ? verdict.endReason : 'reconnect_exceeded';
  return endAfterFailedCheck(services, current, reason, log);
}

/**
 * A resume (or a text turn) failed a check: the session ends with that reason
 * (grading enqueued by endSession, exactly once whoever races), its room
 * closes, and the error to answer is returned.
 */
export async function endAfterFailedCheck(
  { db, livekit }: Pick<Services, 'db' | 'livekit'>,
  session: Session,
  reason: Exclude<EndReason, 'user_ended'>,
  log: Logger,
) {
  const outcome = await endSession(db, session.id, reason);
  if (!outcome.ended) return sessionEndedError(outcome.session?.endReason ?? null);
  log.info({ end_reason: reason }, 'session ended by a failed check');
  await closeRoom(livekit, outcome.session.roomName, log);
  return resumeFailedError(reason);
}

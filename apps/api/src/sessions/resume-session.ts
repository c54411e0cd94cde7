/**
 * A resume: the session must be the caller's and pass the resume checks.
 * A failed check ends it (grading is enqueued by endSession) and answers 410.
 * The new room is opened first, outside any transaction, so LiveKit being down
 * or slow costs no reconnect and holds no row lock or pool connection. Then
 * one conditional UPDATE (@sp/db's `moveToRoom`) counts the reconnect (parallel resumes can never push
 * it past the limit) and moves the session to the new room, returning the room
 * it moved away from: that room, and only that one, is closed. A resume that
 * loses at the UPDATE closes the room it opened.
 */
import { lostResumeEndReason, notFound, resumeVerdict, type SessionLimits, sessionEndedError } from '@sp/core';
import { moveToRoom } from '@sp/db';
import type { Logger } from 'pino';
import { sessionLimits } from '../config.js';
import type { Caller } from '../http/app-context.js';
import type { Services } from '../http/deps.js';
import { newRoomName } from '../http/livekit.js';
import { closeRoom } from '../http/room-closing.js';
import { endAfterFailedCheck, settleOne } from '../http/session-endings.js';
import { namesCaseStudy, transcriptOf, visibleSession } from './session-store.js';

export async function resumeSession(
  services: Pick<Services, 'db' | 'livekit' | 'config' | 'now'>,
  caller: Caller,
  caseStudyId: string,
  sessionId: string,
  log: Logger,
) {
  const { db, livekit, config, now } = services;
  const limits = sessionLimits(config);
  const found = await visibleSession(db, caller, sessionId);
  if (!found || !(await namesCaseStudy(db, found.tenantId, caseStudyId, found.contentId))) {
    throw notFound('Session');
  }
  // A session nobody joined in time has ended pending_timeout: 410 SESSION_PENDING_TIMEOUT, not graded.
  const session = await settleOne(services, found, log);
  const sessionLog = log.child({ session_id: session.id, tenant_id: session.tenantId });
  const verdict = resumeVerdict(session, now(), limits);
  if (verdict.kind === 'already_ended') throw sessionEndedError(verdict.endReason);
  if (verdict.kind === 'end') throw await endAfterFailedCheck(services, session, verdict.endReason, sessionLog);

  const roomName = newRoomName();
  await livekit.createRoom({
    roomName,
    tenantId: session.tenantId,
    userId: session.userId,
    sessionId: session.id,
    caseStudyId: session.contentId,
  });
  const moved = await moveToRoom(db, session.id, roomName, limits.maxReconnects);
  if (!moved) {
    await closeRoom(livekit, roomName, sessionLog);
    throw await refuseAfterLostRace(services, caller, session.id, limits, sessionLog);
  }

  // The room this resume moved the session away from may still hold the old agent; one live room per session.
  await closeRoom(livekit, moved.previousRoomName, sessionLog);
  return { session: moved.session, transcript: await transcriptOf(db, session.id) };
}

/** Another resume or an ending got there first: judge the session as it is now. */
async function refuseAfterLostRace(
  services: Pick<Services, 'db' | 'livekit' | 'now'>,
  caller: Caller,
  sessionId: string,
  limits: SessionLimits,
  log: Logger,
) {
  const current = await visibleSession(services.db, caller, sessionId);
  if (!current) return notFound('Session');
  const verdict = resumeVerdict(current, services.now(), limits);
  if (verdict.kind === 'already_ended') return sessionEndedError(verdict.endReason);
  return endAfterFailedCheck(services, current, lostResumeEndReason(verdict), log);
}

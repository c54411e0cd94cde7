/**
 * Ending a live session from the API: the student ends their own, staff end any of their tenant's. Both go
 * through endSession (one ending, at most one grading job), then the room closes; a text session has no
 * room, and its next turn answers 410.
 */
import { notFound, sessionEndedError } from '@sp/core';
import { endSession, type Session, type StaffEnding } from '@sp/db';
import type { Logger } from 'pino';
import type { Caller } from '../http/app-context.js';
import type { Services } from '../http/deps.js';
import { closeRoom } from '../http/room-closing.js';
import { settleOne } from '../http/session-endings.js';
import { visibleSession } from './session-store.js';

type Needs = Pick<Services, 'db' | 'livekit' | 'config' | 'now'>;

export async function endByStudent(services: Needs, caller: Caller, sessionId: string, log: Logger): Promise<Session> {
  return endLive(services, caller, sessionId, 'own', 'user_ended', log);
}

/** An instructor or admin ends a session of their tenant (`staff_ended`, who is recorded), graded or not. */
export async function endByStaff(
  services: Needs,
  caller: Caller,
  sessionId: string,
  graded: boolean,
  log: Logger,
): Promise<Session> {
  return endLive(services, caller, sessionId, 'read', { endedBy: caller.userId, graded }, log);
}

async function endLive(
  services: Needs,
  caller: Caller,
  sessionId: string,
  access: 'own' | 'read',
  ending: 'user_ended' | StaffEnding,
  log: Logger,
): Promise<Session> {
  const { db, livekit } = services;
  const found = await visibleSession(db, caller, sessionId, access);
  if (!found) throw notFound('Session');
  // A session nobody joined in time ended pending_timeout (not graded): 410 SESSION_PENDING_TIMEOUT.
  const session = await settleOne(services, found, log);
  if (session.status === 'ended') throw sessionEndedError(session.endReason);
  const outcome = await endSession(db, session.id, ending);
  if (!outcome.ended) throw sessionEndedError(outcome.session?.endReason ?? null);
  const sessionLog = log.child({ session_id: session.id, tenant_id: session.tenantId });
  if (ending === 'user_ended') sessionLog.info({ end_reason: ending }, 'session ended by the student');
  else
    sessionLog.info(
      { end_reason: 'staff_ended', ended_by: ending.endedBy, graded: ending.graded },
      'session ended by staff',
    );
  await closeRoom(livekit, outcome.session.roomName, sessionLog);
  return outcome.session;
}

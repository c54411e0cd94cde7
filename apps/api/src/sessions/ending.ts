/** The student ends their own session: through endSession (one ending, one grading job), then the room closes. */
import { notFound, sessionEndedError } from '@sp/core';
import { endSession, type Session } from '@sp/db';
import type { Logger } from 'pino';
import type { Caller } from '../http/app-context.js';
import type { Services } from '../http/deps.js';
import { closeRoom } from '../http/room-closing.js';
import { settleOne } from '../http/session-endings.js';
import { visibleSession } from './session-store.js';

export async function endByStudent(
  services: Pick<Services, 'db' | 'livekit' | 'config' | 'now'>,
  caller: Caller,
  sessionId: string,
  log: Logger,
): Promise<Session> {
  const { db, livekit } = services;
  const found = await visibleSession(db, caller, sessionId);
  if (!found) throw notFound('Session');
  // A session nobody joined in time ended pending_timeout (not graded): 410 SESSION_PENDING_TIMEOUT.
  const session = await settleOne(services, found, log);
  if (session.status === 'ended') throw sessionEndedError(session.endReason);
  const outcome = await endSession(db, session.id, 'user_ended');
  if (!outcome.ended) throw sessionEndedError(outcome.session?.endReason ?? null);
  const sessionLog = log.child({ session_id: session.id, tenant_id: session.tenantId });
  sessionLog.info({ end_reason: 'user_ended' }, 'session ended by the student');
  await closeRoom(livekit, outcome.session.roomName, sessionLog);
  return outcome.session;
}

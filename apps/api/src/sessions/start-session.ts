/**
 * A new session: the case must be published in the caller's tenant, the
 * caller must have no live session for it and attempts left. The database
 * has the last word (one live session per student and case, unique attempt
 * numbers). A voice session's LiveKit room is opened before the row is written, so a
 * LiveKit failure leaves no session behind and no database connection waits
 * on LiveKit; a racer that loses at the database closes the room it opened.
 */
import { randomUUID } from 'node:crypto';
import { accommodatedDuration, notFound, type SessionChannel, sessionActiveError, startVerdict } from '@sp/core';
import { type Session, sessions, uniqueViolation } from '@sp/db';
import type { Logger } from 'pino';
import type { Caller } from '../http/app-context.js';
import type { Services } from '../http/deps.js';
import { newRoomName } from '../http/livekit.js';
import { closeRoom } from '../http/room-closing.js';
import { expireTimedOut } from '../http/session-endings.js';
import { caseStanding } from './session-store.js';

/** A racing creation for the same student and case took the slot; look again. */
const RACE_CONSTRAINTS = new Set([
  'sessions_one_active_per_user_case',
  'sessions_attempt_key',
  'sessions_room_name_key',
]);
const MAX_TRIES = 4;

export async function startSession(
  services: Pick<Services, 'db' | 'livekit' | 'config' | 'now'>,
  caller: Caller,
  caseStudyId: string,
  log: Logger,
  options: { channel?: SessionChannel; metadata?: Record<string, unknown>; context?: string } = {},
): Promise<Session> {
  const { db, livekit, config, now } = services;
  const channel = options.channel ?? 'voice';
  for (let tries = 1; ; tries++) {
    const standing = await caseStanding(db, caller, caseStudyId);
    if (!standing) throw notFound('Case study');
    const verdict = startVerdict(
      {
        ...standing,
        activePendingSince: standing.activePendingSince ? new Date(standing.activePendingSince) : null,
      },
      now(),
      config.PENDING_TIMEOUT_SECONDS,
    );
    if (verdict.kind === 'expire_pending' && tries < MAX_TRIES) {
      // A live session nobody joined within the pending timeout no longer blocks: it ends pending_timeout.
      await expireTimedOut(services, [verdict.sessionId], log);
      continue;
    }
    if (verdict.kind === 'expire_pending') throw sessionActiveError(verdict.sessionId);
    if (verdict.kind === 'refuse') throw verdict.error;
    if (!standing.versionId) throw notFound('Case study');
    const planned = {
      id: randomUUID(),
      tenantId: caller.tenantId,
      userId: caller.userId,
      contentId: standing.id,
      caseStudyVersionId: standing.versionId,
      durationLimit: accommodatedDuration(standing.durationLimit, standing.durationMultiplier),
      durationMultiplier: standing.durationMultiplier,
      attemptNumber: standing.lastAttemptNumber + 1,
      roomName: newRoomName(),
      channel,
      metadata: options.metadata ?? {},
      context: options.context ?? null,
    };
    // A text session talks through the API only; its room name is reserved for a later voice resume.
    if (channel === 'voice') {
      await livekit.createRoom({
        roomName: planned.roomName,
        tenantId: planned.tenantId,
        userId: planned.userId,
        sessionId: planned.id,
        caseStudyId: planned.contentId,
      });
    }
    try {
      const [row] = await db.insert(sessions).values(planned).returning();
      if (!row) throw new Error('session insert returned no row');
      return row;
    } catch (error) {
      if (channel === 'voice') await closeRoom(livekit, planned.roomName, log);
      const constraint = uniqueViolation(error);
      if (constraint === null || !RACE_CONSTRAINTS.has(constraint) || tries >= MAX_TRIES) throw error;
    }
  }
}

/**
 * Ending a session: the one place every ending goes through (the API's /end,
 * a failed resume, the worker's timer). The conditional UPDATE lets exactly one
 * racer win; the winner creates the report row and the grading job in the
 * same transaction, so grading is enqueued exactly once per ended session.
 */
import { type GradedEndReason, HEARTBEAT_STALE_SECONDS } from '@sp/core';
import { and, eq, inArray, isNull, lte, ne, sql } from 'drizzle-orm';
import type { Database } from './client.js';
import { type Executor, enqueueGrading } from './grading-queue.js';
import { gradeReports, type Session, sessions } from './schema.js';

export type EndOutcome = { ended: true; session: Session } | { ended: false; session: Session | null };

/**
 * Active seconds (whole milliseconds) including the running segment, evaluated at `now()`: the same
 * rule as `activeTime` in @sp/core (a segment stops counting once heartbeats
 * have been stale for HEARTBEAT_STALE_SECONDS).
 */
export const liveElapsedSql = sql<number>`round(least(${sessions.durationLimit}::float8, case
  when ${sessions.status} = 'active' and ${sessions.connectedSince} is not null
    then greatest(${sessions.elapsedActiveTime}, ${sessions.segmentBase} + greatest(0, extract(epoch from
      least(now(), coalesce(${sessions.lastActivity}, ${sessions.connectedSince}) + make_interval(secs => ${HEARTBEAT_STALE_SECONDS}))
      - ${sessions.connectedSince}))::float8)
  else ${sessions.elapsedActiveTime} end)::numeric, 3)::float8`;

export async function endSession(db: Database, sessionId: string, endReason: GradedEndReason): Promise<EndOutcome> {
  return db.transaction(async (tx) => {
    const [won] = await tx
      .update(sessions)
      .set({
        status: 'ended',
        isActive: false,
        endReason,
        endTime: sql`now()`,
        elapsedActiveTime: liveElapsedSql,
        connectedSince: null,
        gradingStatus: 'pending',
        updatedAt: sql`now()`,
      })
      .where(and(eq(sessions.id, sessionId), ne(sessions.status, 'ended')))
      .returning();
    if (!won) {
      const [current] = await tx.select().from(sessions).where(eq(sessions.id, sessionId));
      return { ended: false, session: current ?? null } as const;
    }
    await enqueueReport(tx, won.id, won.tenantId);
    return { ended: true, session: won } as const;
  });
}

/**
 * Creates (or resets, for a regrade) the session's report row and enqueues its
 * grading job. A reset clears the previous grade entirely, so a pending or
 * running report never shows an old score.
 */
export async function enqueueReport(
  tx: Executor & Pick<Database, 'insert'>,
  sessionId: string,
  tenantId: string,
): Promise<void> {
  await tx
    .insert(gradeReports)
    .values({ sessionId, tenantId, status: 'pending' })
    .onConflictDoUpdate({
      target: gradeReports.sessionId,
      set: {
        status: 'pending',
        grader: null,
        model: null,
        score: null,
        items: null,
        strengths: null,
        improvements: null,
        narrative: null,
        error: null,
        attempts: 0,
        completedAt: null,
        updatedAt: sql`now()`,
      },
    });
  await enqueueGrading(tx, sessionId);
}

/**
 * Ends, with `pending_timeout`, the sessions nobody ever joined (no voice or
 * text contact) whose current room was opened at or before `openedBefore`.
 * Such a session is not graded (no report, no job) and does not count as an
 * attempt. Conditional on the row as it is now, so a student who joins at the
 * same moment keeps the session: whichever write comes first wins.
 */
export async function expirePendingSessions(
  db: Pick<Database, 'update'>,
  openedBefore: Date,
  only: { sessionIds?: string[]; tenantId?: string; userId?: string } = {},
): Promise<Session[]> {
  if (only.sessionIds?.length === 0) return [];
  return db
    .update(sessions)
    .set({
      status: 'ended',
      isActive: false,
      endReason: 'pending_timeout',
      endTime: sql`now()`,
      connectedSince: null,
      updatedAt: sql`now()`,
    })
    .where(
      and(
        eq(sessions.status, 'pending'),
        isNull(sessions.startTime),
        lte(sessions.roomOpenedAt, openedBefore),
        only.sessionIds ? inArray(sessions.id, only.sessionIds) : undefined,
        only.tenantId ? eq(sessions.tenantId, only.tenantId) : undefined,
        only.userId ? eq(sessions.userId, only.userId) : undefined,
      ),
    )
    .returning();
}
